package dev.nsjunit.internal.jvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nsjunit.FreshPid;
import dev.nsjunit.testing.SandboxKit;
import dev.nsjunit.testing.TestJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Class-data sharing: the classpath it builds, and what happens with a bad archive. */
class ClassDataSharingTest {

  @Test
  void aCorruptArchiveIsCaughtReplacedAndNeverFailsATest() throws Exception {
    // The archive the fixture JVM (same JDK, same classpath) will look for: garbage.
    Path archive = ClassDataSharing.archiveFor(System.getProperty("java.class.path"));
    Files.deleteIfExists(archive);
    Files.writeString(archive, "garbage, not an archive");
    for (int run = 0; run < 2; run++) {
      Process p = TestJvm.fixture(Cases.class, List.of(), "fixture.archive=" + archive).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(out)
          .contains("test first() SUCCESSFUL")
          .contains("test second() SUCCESSFUL")
          .contains("test third() SUCCESSFUL");
      if (run == 0) {
        assertThat(out)
            .as("the bad archive is reported, not silently ignored")
            .contains("does not fit this JDK and classpath");
      }
    }
    assertThat(Files.size(archive))
        .as("the garbage was replaced by a real archive")
        .isGreaterThan(1 << 20);
  }

  /**
   * A run shorter than its archive's dump (an IDE running one test; here one trivial test, about
   * 0.5 s, against a dump of 1.5 s or more) used to end with the dump still running: nobody moved
   * the file into the cache, so no run ever had an archive. Now the JVM's exit waits for the dump:
   * the archive is in the cache the moment the JVM is gone, and nothing else of the dump is left.
   */
  @Test
  void aRunShorterThanItsArchiveDumpLeavesTheArchiveInTheCacheAndNothingElse(@TempDir Path dir)
      throws Exception {
    String classpath = classpathNoArchiveExistsFor(dir);
    Path archive = ClassDataSharing.archiveFor(classpath);
    assertThat(archive).doesNotExist();
    Process p = onClasspath(TestJvm.fixture(QuickCase.class, List.of()), classpath).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(out).contains("test quick() SUCCESSFUL").doesNotContain("nsjunit: ");
      assertThat(archive)
          .as("the archive, in place when the JVM that made it is gone (no waiting here)")
          .isRegularFile();
      assertThat(Files.size(archive)).isGreaterThan(1 << 20);
      assertNothingOfItsDumpLeft(p.pid(), archive.getParent());
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(archive);
    }
  }

  /**
   * The copies of JUnit's jars an archive was made with can be cleaned up while the archive stays
   * (another JVM pruned the cache). The next run must not hand its children that archive with a
   * classpath whose jars are gone: it makes the archive again, copies included, and its test runs.
   * Run 1 makes the archive, run 2 checks it and notes that it fits (so that no later JVM checks it
   * with the JDK, which would catch the missing jars), then the copies go, and run 3 must not trust
   * the note. In a cache of its own (java.io.tmpdir), as removing the copies of this JVM's would
   * break the tests after it. The children run JDK 17 (nsjunit.java when this JVM runs a later JDK,
   * whose children would get an AOT cache and the jars as built).
   */
  @Test
  void anArchiveWhoseRewrittenJarsAreGoneIsMadeAgainWithThem(@TempDir Path dir) throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    String classpath = classpathNoArchiveExistsFor(dir);
    Path java17 =
        Runtime.version().feature() == 17
            ? Path.of(System.getProperty("java.home"), "bin", "java")
            : Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");
    assertThat(java17).as("a JDK 17 for the children").isExecutable();
    for (int run = 1; run <= 3; run++) {
      Process p =
          onClasspath(
                  TestJvm.fixture(
                      QuickCase.class,
                      List.of(),
                      "java.io.tmpdir=" + tmp,
                      "nsjunit.java=" + java17),
                  classpath)
              .start();
      try {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as("run " + run).contains("test quick() SUCCESSFUL");
      } finally {
        p.destroyForcibly();
      }
      List<Path> copies = filesIn(tmp, "nsjunit-lambdas-", ".jar");
      assertThat(copies).as("the rewritten jars after run " + run).isNotEmpty();
      assertThat(filesIn(tmp, "", ".jsa")).as("the archive after run " + run).hasSize(1);
      if (run == 2) {
        assertThat(filesIn(tmp, "", ".jsa.fits")).as("the note that it fits").hasSize(1);
        for (Path copy : copies) {
          Files.delete(copy);
        }
      }
    }
  }

  private static List<Path> filesIn(Path dir, String prefix, String suffix) throws Exception {
    try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(
              f ->
                  f.getFileName().toString().startsWith(prefix)
                      && f.getFileName().toString().endsWith(suffix))
          .toList();
    }
  }

  /**
   * Checking an archive from an earlier run is a JVM start on the first test's path of every test
   * JVM. The first JVM here makes the archive, the second checks it once and notes that it fits,
   * the third uses it on that note, starting no JVM to check it; the children of both map it.
   */
  @Test
  void anArchiveCheckedByOneTestJvmIsNotCheckedAgainByTheNext(@TempDir Path dir) throws Exception {
    String classpath = classpathNoArchiveExistsFor(dir);
    Path archive = ClassDataSharing.archiveFor(classpath);
    try {
      for (int run = 1; run <= 3; run++) {
        Process p =
            onClasspath(
                    TestJvm.fixture(
                        CheckCountCases.class,
                        List.of(),
                        "fixture.archive=" + archive,
                        "fixture.mapped=" + (run > 1)),
                    classpath)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(out)
            .as("run " + run)
            .contains("test childMapsNsjunitsArchiveOnceThereIsOne() SUCCESSFUL")
            .contains("test reportsItsArchiveChecks() SUCCESSFUL")
            .contains("archive check JVMs started: " + (run == 2 ? 1 : 0));
        assertThat(archive).as("after run " + run).isRegularFile();
        if (run > 1) {
          assertThat(ArchiveFit.noteOf(archive)).as("after run " + run).isRegularFile();
        }
      }
    } finally {
      Files.deleteIfExists(archive);
      Files.deleteIfExists(ArchiveFit.noteOf(archive));
    }
  }

  /**
   * A JVM killed (SIGKILL) while its dump runs: the dump's launcher sees the JVM's pipe close and
   * kills the dump; the janitor removes the run directory with the half-written archive. No
   * archive, no process, no file of that JVM's is left.
   */
  @Test
  void aJvmKilledWhileItsArchiveIsDumpedLeavesNothingOfTheDump(@TempDir Path dir) throws Exception {
    String classpath = classpathNoArchiveExistsFor(dir);
    assertKillingTheJvmEndsTheDump(
        classpath, ClassDataSharing.archiveFor(classpath), List.of(), dumpJvm -> dumpJvm);
  }

  /**
   * On JDK 25 the dump JVM assembles the AOT cache in a second JVM it starts as it exits (options
   * in JAVA_TOOL_OPTIONS, so its command line is a bare {@code java}). Killed at that moment, the
   * test JVM used to leave that grandchild running: the launcher killed only its own child. It now
   * ends the dump's whole process group.
   */
  @Test
  void aJvmKilledWhileItsAotCacheIsAssembledLeavesNothingOfTheDump(@TempDir Path dir)
      throws Exception {
    assumeJdk25();
    String classpath = classpathNoArchiveExistsFor(dir);
    String java = JDK_25_JAVA.toString();
    assertKillingTheJvmEndsTheDump(
        classpath,
        ClassDataSharing.archiveFor(classpath, java),
        List.of("nsjunit.java=" + java),
        dumpJvm ->
            dumpJvm
                .children()
                .filter(h -> h.info().command().orElse("").equals(java))
                .findFirst()
                .orElse(null));
  }

  /**
   * Runs a fixture JVM whose one isolated test blocks while the archive for {@code classpath} is
   * dumped, SIGKILLs it as soon as {@code caught} finds the process to catch (given the dump JVM),
   * and checks that the dump's launcher ended that process and nothing of the dump is left.
   */
  private static void assertKillingTheJvmEndsTheDump(
      String classpath,
      Path archive,
      List<String> properties,
      java.util.function.Function<ProcessHandle, ProcessHandle> caught)
      throws Exception {
    Process p =
        onClasspath(
                TestJvm.fixture(BlockingCase.class, List.of(), properties.toArray(new String[0])),
                classpath)
            .start();
    ProcessHandle stopped = null;
    try {
      ProcessHandle dumpJvm = null;
      ProcessHandle victim = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (victim == null) {
        assertThat(p.isAlive()).as("the fixture JVM runs").isTrue();
        assertThat(System.nanoTime()).as("no dump caught within 120 s").isLessThan(deadline);
        if (dumpJvm == null) {
          dumpJvm = dumpJvmOf(p);
        }
        victim = dumpJvm == null ? null : caught.apply(dumpJvm);
        Thread.sleep(10);
      }
      ProcessHandle launcher = dumpJvm.parent().orElseThrow();
      assertThat(launcher.info().command().orElse(""))
          .as("the dump JVM's parent")
          .endsWith("/nsjunit-launch");
      // Frozen, so that it cannot finish on its own in the meantime: only a SIGKILL ends it now.
      assertThat(new ProcessBuilder("kill", "-STOP", Long.toString(victim.pid())).start().waitFor())
          .isZero();
      stopped = victim;
      p.destroyForcibly(); // SIGKILL, mid-dump
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      launcher.onExit().get(60, TimeUnit.SECONDS);
      assertThat(dumpJvm.isAlive())
          .as("the dump JVM, killed and reaped by its launcher before that exits")
          .isFalse();
      long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (isRunning(victim) && System.nanoTime() < gone) {
        Thread.sleep(20);
      }
      assertThat(isRunning(victim))
          .as("the process caught in the dump (" + victim.info() + "), after its launcher")
          .isFalse();
      assertThat(archive).as("a killed dump installs nothing").doesNotExist();
      assertNothingOfItsDumpLeft(p.pid(), archive.getParent());
    } finally {
      p.destroyForcibly();
      if (stopped != null) {
        stopped.destroyForcibly(); // left by a failing launcher only
      }
      Files.deleteIfExists(archive);
    }
  }

  /**
   * A JVM whose first sandbox starts during discovery (HeadStart) starts its dump then too; ended
   * before any test plan finished (stopped during discovery, or a JVM that only lists its tests),
   * it ends the dump at once instead of waiting up to 20 s. The fixture JVM only discovers one
   * isolated test, waits for its sandbox and exits; the dump is frozen so that only the exit can
   * end it before the 20 s.
   */
  @Test
  void aJvmThatEndsBeforeItsTestsRanEndsItsArchiveDump(@TempDir Path dir) throws Exception {
    String classpath = classpathNoArchiveExistsFor(dir);
    Path archive = ClassDataSharing.archiveFor(classpath);
    Class<?> discoverOnly = Class.forName("dev.nsjunit.internal.run.HeadStartTest$Observer");
    Process p =
        onClasspath(TestJvm.main(discoverOnly, List.of("discover", "isolated")), classpath).start();
    ProcessHandle dumpJvm = null;
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (dumpJvm == null && p.isAlive()) {
        assertThat(System.nanoTime()).as("no dump within 120 s").isLessThan(deadline);
        dumpJvm = dumpJvmOf(p);
        Thread.sleep(5);
      }
      if (dumpJvm != null) {
        new ProcessBuilder("kill", "-STOP", Long.toString(dumpJvm.pid())).start().waitFor();
      }
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the fixture JVM's exit").isTrue();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(out).contains("counts 1 1 0 0");
      assertEndedAtExit(out, dumpJvm, p.pid(), archive);
    } finally {
      p.destroyForcibly();
      if (dumpJvm != null) {
        dumpJvm.destroyForcibly(); // left by a failing launcher only
      }
      Files.deleteIfExists(archive);
    }
  }

  /** The JVM {@code pid}'s exit ended its dump at once, said why, and left nothing of it. */
  private static void assertEndedAtExit(String out, ProcessHandle dumpJvm, long pid, Path archive)
      throws Exception {
    assertThat(out)
        .contains(
            "the class-data sharing archive "
                + archive
                + " was not made: the run was stopped while it was being made")
        .doesNotContain("s after the tests ended");
    if (dumpJvm != null) {
      dumpJvm.onExit().get(60, TimeUnit.SECONDS);
    }
    assertThat(archive).as("an ended dump installs nothing").doesNotExist();
    assertNothingOfItsDumpLeft(pid, archive.getParent());
  }

  /** The JVM dumping an archive for {@code testJvm}, or null while there is none. */
  private static ProcessHandle dumpJvmOf(Process testJvm) {
    return testJvm
        .descendants()
        .filter(h -> h.info().command().orElse("").endsWith("/java"))
        .filter(h -> h.info().commandLine().orElse("").contains(CdsWarmUp.class.getName()))
        .findFirst()
        .orElse(null);
  }

  /**
   * A run stopped while its archive is dumped (an IDE's stop button: a signal, the JVM's shutdown)
   * used to wait up to 20 s for the dump at exit, which looked like a hang. Tests were still
   * running, so the exit ends the dump at once: the dump here is frozen (SIGSTOP) and could never
   * finish, so only that can end the run before the 20 s, and the message says which.
   */
  @Test
  void aStoppedRunEndsItsArchiveDumpInsteadOfWaitingForIt(@TempDir Path dir) throws Exception {
    String classpath = classpathNoArchiveExistsFor(dir);
    Path archive = ClassDataSharing.archiveFor(classpath);
    Process p = onClasspath(TestJvm.fixture(BlockingCase.class, List.of()), classpath).start();
    ProcessHandle dumpJvm = null;
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (dumpJvm == null) {
        assertThat(p.isAlive()).as("the fixture JVM runs").isTrue();
        assertThat(System.nanoTime()).as("no dump within 120 s").isLessThan(deadline);
        dumpJvm = dumpJvmOf(p);
        Thread.sleep(10);
      }
      assertThat(
              new ProcessBuilder("kill", "-STOP", Long.toString(dumpJvm.pid())).start().waitFor())
          .isZero();
      // SIGTERM, as a stop button sends it: the JVM runs its shutdown hooks. Not Process.destroy,
      // which also closes this end of the JVM's output.
      assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor())
          .isZero();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the fixture JVM's exit").isTrue();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEndedAtExit(out, dumpJvm, p.pid(), archive);
    } finally {
      p.destroyForcibly();
      if (dumpJvm != null) {
        dumpJvm.destroyForcibly(); // left by a failing launcher only
      }
      Files.deleteIfExists(archive);
    }
  }

  /** Alive and not a zombie waiting for a parent that reaps it. */
  private static boolean isRunning(ProcessHandle process) {
    try {
      String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
      return process.isAlive() && !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (java.io.IOException gone) {
      return false;
    }
  }

  /**
   * A test that brings its own archive options (here a dump, {@code -XX:ArchiveClassesAtExit}) gets
   * them alone: nsjunit's archive, ready for this classpath, is not added (with it the child JVM
   * stopped at start: "DynamicDumpSharedSpaces is unsupported when base CDS archive is not
   * loaded").
   */
  @Test
  void aTestsOwnArchiveOptionsTakeThePlaceOfNsjunitsArchive(@TempDir Path dir) throws Exception {
    Path ours =
        ClassDataSharing.archiveFor(
            ChildClasspath.of(OwnArchiveCases.class).asString(), inheritedModuleOptions());
    SandboxKit.run(MappedCases.class).assertAllPassed(1); // makes or checks nsjunit's archive
    awaitReady(ours);
    Path own = dir.resolve("own.jsa");
    SandboxKit.run(
            OwnArchiveCases.class,
            Map.of(
                "nsjunit.jvmArgs",
                "-XX:ArchiveClassesAtExit=" + own + " -Dfixture.nsjunitArchive=" + ours))
        .assertAllPassed(1);
    // Whether the dump itself succeeds is the JDK's business (this classpath has directories, which
    // a dump refuses as the child exits, after its result).
  }

  /**
   * With nsjunit in a jar, as in a user's build, the dump rehearses the child's channel (connect,
   * hello, run request), so a child maps the classes of its start from the archive instead of
   * loading them: the frames and the JDK's Unix-domain socket classes (loading them took a child
   * about 10 ms before its hello and 1 ms after it). The first run makes the archive, the second's
   * child shows where its classes came from.
   */
  @Test
  void aChildMapsTheClassesOfItsChannelFromTheArchive(@TempDir Path dir) throws Exception {
    String classpath = withNsjunitInAJar(classpathNoArchiveExistsFor(dir), dir);
    Path archive = ClassDataSharing.archiveFor(classpath);
    Path log = dir.resolve("child-class-load.log");
    try {
      for (int run = 0; run < 2; run++) {
        Process p =
            onClasspath(
                    TestJvm.fixture(
                        QuickCase.class, List.of(), "nsjunit.jvmArgs=-Xlog:class+load:file=" + log),
                    classpath)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("test quick() SUCCESSFUL");
        assertThat(archive).as("the archive, after run " + (run + 1)).isRegularFile();
      }
      List<String> loaded = Files.readAllLines(log, StandardCharsets.UTF_8);
      for (String c :
          List.of(
              "dev.nsjunit.internal.channel.FrameCodec",
              "dev.nsjunit.internal.channel.SocketStreams$1",
              "sun.nio.ch.UnixDomainSockets")) {
        assertThat(
                loaded.stream()
                    .filter(l -> l.contains("] " + c + " source: "))
                    .findFirst()
                    .orElse(c + ": not loaded"))
            .as("the second run's child's -Xlog:class+load of " + c)
            .contains("source: shared objects file");
      }
      List<String> secondRun = loaded.subList(lastJvmStart(loaded), loaded.size());
      if (!ClassDataSharing.rewritesLambdas(ChildJdk.thisJvm(), true)) {
        // JDK 25: its AOT cache keeps call sites linked, and the child runs the jars as built.
        assertThat(secondRun.stream().filter(l -> l.contains("$NsjunitLambda$")))
            .as("rewritten lambda classes in a child with an AOT cache")
            .isEmpty();
        return;
      }
      // JUnit's and nsjunit's lambdas come as classes from the archive (nsjunit.cds.lambdaClasses):
      // the child links almost none of their call sites (some 450 otherwise). Only the JDK's own
      // lambdas and the call sites the rewrite leaves alone (private bodies in JUnit's interfaces,
      // about ten of them in a trivial test) are still linked.
      assertThat(
              secondRun.stream()
                  .filter(l -> l.contains("$NsjunitLambda$"))
                  .filter(l -> l.contains("source: shared objects file")))
          .as("rewritten lambda classes the second run's child loaded from the archive")
          .hasSizeGreaterThan(100);
      assertThat(
              secondRun.stream()
                  .filter(l -> l.contains("] org.junit.") || l.contains("] dev.nsjunit."))
                  .filter(l -> l.contains("$$Lambda$")))
          .as("JUnit's and nsjunit's lambdas the second run's child linked itself")
          .hasSizeLessThan(20);
    } finally {
      Files.deleteIfExists(archive);
    }
  }

  /**
   * Where the last JVM's lines start in a class-load log both runs appended to: at its first class,
   * java.lang.Object.
   */
  private static int lastJvmStart(List<String> log) {
    for (int i = log.size() - 1; i >= 0; i--) {
      if (log.get(i).contains("] java.lang.Object source: ")) {
        return i;
      }
    }
    return 0;
  }

  /** {@code classpath} with nsjunit's classes directory (this build's) replaced by a jar of it. */
  private static String withNsjunitInAJar(String classpath, Path dir) throws Exception {
    Path classes =
        Path.of(
            dev.nsjunit.internal.child.ChildMain.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
    assumeTrue(Files.isDirectory(classes), "nsjunit's classes are in a jar already: " + classes);
    Path jar = dir.resolve("nsjunit-classes.jar");
    try (java.util.jar.JarOutputStream out =
            new java.util.jar.JarOutputStream(Files.newOutputStream(jar));
        java.util.stream.Stream<Path> files = Files.walk(classes)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        out.putNextEntry(
            new java.util.jar.JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, out);
        out.closeEntry();
      }
    }
    // The classpath may name it relatively (target/classes, as CI's JDK 25 step does).
    List<String> entries = new java.util.ArrayList<>(List.of(classpath.split(":")));
    java.util.function.Predicate<String> isClasses =
        e -> !e.isEmpty() && Path.of(e).toAbsolutePath().normalize().equals(classes.normalize());
    assertThat(entries).anyMatch(isClasses);
    entries.replaceAll(e -> isClasses.test(e) ? jar.toString() : e);
    return String.join(":", entries);
  }

  /**
   * The module options this JVM's children inherit (a JDK 24+ argLine's {@code
   * --enable-native-access}): they are in every archive key of a child started from here.
   */
  private static List<String> inheritedModuleOptions() {
    return InheritedJvmOptions.archivedModuleOptions(
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
  }

  /** Until this JVM has made or checked {@code archive} and hands it to its children. */
  private static void awaitReady(Path archive) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!ClassDataSharing.ready(archive)) {
      assertThat(System.nanoTime())
          .as("archive " + archive + " not ready within 120 s")
          .isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** This JVM's classpath and a jar made just now: a key no archive has yet. */
  private static String classpathNoArchiveExistsFor(Path dir) throws Exception {
    Path jar = dir.resolve("fresh-" + System.nanoTime() + ".jar");
    try (java.util.jar.JarOutputStream out =
        new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new java.util.jar.JarEntry("fresh.txt"));
      out.write(jar.toString().getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    return System.getProperty("java.class.path") + ":" + jar;
  }

  private static ProcessBuilder onClasspath(ProcessBuilder fixture, String classpath) {
    List<String> cmd = fixture.command();
    cmd.set(cmd.indexOf("-cp") + 1, classpath);
    return fixture;
  }

  private static List<Path> runDirectoriesOf(long pid, Path userDirectory) throws Exception {
    try (java.util.stream.Stream<Path> runs = Files.list(userDirectory)) {
      return runs.filter(r -> r.getFileName().toString().startsWith("run-" + pid + "-")).toList();
    }
  }

  /** After the JVM {@code pid} ended: its janitor removes its run directory (given 60 s). */
  private static void assertNothingOfItsDumpLeft(long pid, Path cache) throws Exception {
    long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!runDirectoriesOf(pid, cache.getParent()).isEmpty() && System.nanoTime() < gone) {
      Thread.sleep(20);
    }
    assertThat(runDirectoriesOf(pid, cache.getParent())).as("its run directory").isEmpty();
    try (java.util.stream.Stream<Path> files = Files.list(cache)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .as("files of the JVM's in the archive cache")
          .noneMatch(name -> name.contains("." + pid + "."));
    }
    // The dump writes into the run directory (run-<pid>-<start>), so its command line names it.
    assertThat(
            ProcessHandle.allProcesses()
                .map(h -> h.info().commandLine().orElse(""))
                .filter(
                    c -> c.contains(CdsWarmUp.class.getName()) && c.contains("/run-" + pid + "-")))
        .as("its dump's processes")
        .isEmpty();
  }

  /**
   * Where CI and the development machines have JDK 25 (the nsjunit.java rows of performance.md).
   */
  static final Path JDK_25_JAVA = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");

  /** Aborts a test that needs {@link #JDK_25_JAVA} where it is not installed. */
  static void assumeJdk25() {
    assumeTrue(
        Files.isExecutable(JDK_25_JAVA),
        "this test needs JDK 25 at "
            + JDK_25_JAVA
            + " (apt: temurin-25-jdk), present on CI; not installed here");
  }

  /**
   * The child's JDK, not this JVM's, decides the archive: a child on JDK 25 (nsjunit.java) gets an
   * AOT cache made with JDK 25, whatever JDK this JVM runs (17 on CI). Proven by the child's own
   * log: it opened that cache, and JUnit's launcher (not a JDK class, so not from the JDK's default
   * archive) came from it.
   */
  @Test
  void aChildOnJdk25GetsAnAotCacheWhateverJdkThisJvmRuns(@TempDir Path dir) throws Exception {
    assumeJdk25();
    String java = JDK_25_JAVA.toString();
    String classpath = ChildClasspath.of(AotCases.class).asString();
    Path archive = ClassDataSharing.archiveFor(classpath, java, inheritedModuleOptions());
    assertThat(archive.getFileName().toString()).endsWith(".aot");
    if (Runtime.version().feature() != 25) {
      assertThat(archive)
          .as("another JDK, another archive")
          .isNotEqualTo(ClassDataSharing.archiveFor(classpath, inheritedModuleOptions()));
    }

    // The first child of this (JDK, classpath) pair starts the dump (or checks an earlier run's
    // cache): it runs with JDK 25 either way.
    SandboxKit.run(AotCases.class, Map.of("nsjunit.java", java)).assertAllPassed(1);
    awaitReady(archive);

    Path log = dir.resolve("child-25.log");
    SandboxKit.Run run =
        SandboxKit.run(
            AotCases.class,
            Map.of("nsjunit.java", java, "nsjunit.jvmArgs", "-Xlog:aot,class+load:file=" + log));
    run.assertAllPassed(1);
    assertThat(run.stderr()).doesNotContain("nsjunit: child JVMs run");
    String childLog = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(childLog)
        .as("the child's -Xlog:aot,class+load")
        .contains("Opened AOT cache " + archive)
        .contains("org.junit.platform.launcher.core.LauncherFactory source: shared objects file");
  }

  /**
   * A child on JDK 25 with module options (an argLine's {@code --add-opens}, {@code
   * --enable-native-access}) opens an AOT cache made with the same options. Before, the cache was
   * made without them, and every such child printed "[error][aot] Mismatched values for property
   * jdk.module.addopens ..." (five lines) into the test's output and ran without the cache.
   */
  @Test
  void aChildWithModuleOptionsOnJdk25OpensACacheMadeWithThem(@TempDir Path dir) throws Exception {
    assumeJdk25();
    String java = JDK_25_JAVA.toString();
    String classpath = ChildClasspath.of(AotCases.class).asString();
    List<String> options = new java.util.ArrayList<>(inheritedModuleOptions());
    options.addAll(
        List.of(
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"));
    Path archive = ClassDataSharing.archiveFor(classpath, java, options);
    assertThat(archive)
        .as("other module options, another cache")
        .isNotEqualTo(ClassDataSharing.archiveFor(classpath, java, inheritedModuleOptions()));
    String moduleOptions =
        "--add-opens=java.base/java.lang=ALL-UNNAMED --enable-native-access=ALL-UNNAMED";

    SandboxKit.run(AotCases.class, Map.of("nsjunit.java", java, "nsjunit.jvmArgs", moduleOptions))
        .assertAllPassed(1);
    awaitReady(archive);

    Path log = dir.resolve("child-25.log");
    SandboxKit.Run run =
        SandboxKit.run(
            AotCases.class,
            Map.of(
                "nsjunit.java",
                java,
                "nsjunit.jvmArgs",
                moduleOptions + " -Xlog:aot,class+load:file=" + log));
    run.assertAllPassed(1);
    assertThat(run.stdout() + run.stderr()).as("the test's output").doesNotContain("[aot]");
    assertThat(Files.readString(log, StandardCharsets.UTF_8))
        .as("the child's -Xlog:aot,class+load")
        .contains("Opened AOT cache " + archive)
        .contains("org.junit.platform.launcher.core.LauncherFactory source: shared objects file");
  }

  /**
   * A child maps the class-data archives (the JDK's own, and nsjunit's or the AOT cache once it
   * exists) at the address they were dumped for, 32 GiB, not at a random one where the JVM would
   * rewrite them into private pages (the default of the JDKs here).
   */
  @Test
  void aChildMapsTheClassDataArchivesAtTheirOwnAddress() {
    SandboxKit.run(MappedCases.class).assertAllPassed(1);
  }

  /**
   * Each archive's first metadata region (file offset 0x1000; the rest follows it, a JDK 25 cache's
   * Java objects go next to the heap) starts in [32 GiB, 36 GiB), where SharedBaseAddress puts it.
   */
  static void assertArchivesMappedAtTheirOwnAddress() throws java.io.IOException {
    List<String> firstRegions =
        Files.readAllLines(Path.of("/proc/self/maps")).stream()
            .filter(l -> l.endsWith(".jsa") || l.endsWith(".aot"))
            .filter(l -> l.split("\\s+")[2].equals("00001000"))
            .toList();
    assertThat(firstRegions).as("archive mappings in /proc/self/maps").isNotEmpty();
    assertThat(firstRegions)
        .allSatisfy(
            l ->
                assertThat(Long.parseUnsignedLong(l.substring(0, l.indexOf('-')), 16))
                    .as(l)
                    .isBetween(0x8_0000_0000L, 0x9_0000_0000L - 1));
  }

  static class MappedCases {
    @org.junit.jupiter.api.Test
    @FreshPid
    void archivesAtTheirDumpedAddress() throws Exception {
      assertArchivesMappedAtTheirOwnAddress();
    }
  }

  /** Runs in the child: on the JDK nsjunit.java names. */
  static class AotCases {
    @org.junit.jupiter.api.Test
    @FreshPid
    void onJdk25() throws Exception {
      org.junit.jupiter.api.Assertions.assertTrue(
          Runtime.version().feature() >= 25, "child on " + Runtime.version());
      assertArchivesMappedAtTheirOwnAddress();
    }
  }

  static class OwnArchiveCases {
    @org.junit.jupiter.api.Test
    @FreshPid
    void dumpsItsOwn() throws Exception {
      String nsjunits = System.getProperty("fixture.nsjunitArchive");
      org.junit.jupiter.api.Assertions.assertNotNull(nsjunits, "fixture.nsjunitArchive");
      assertThat(Files.readAllLines(Path.of("/proc/self/maps")))
          .as("this child's mappings")
          .noneMatch(l -> l.endsWith(nsjunits));
    }
  }

  @org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
  static class CheckCountCases {
    @org.junit.jupiter.api.Test
    @org.junit.jupiter.api.Order(1)
    @FreshPid
    void childMapsNsjunitsArchiveOnceThereIsOne() throws Exception {
      String archive = System.getProperty("fixture.archive");
      List<String> maps = Files.readAllLines(Path.of("/proc/self/maps"));
      if (Boolean.getBoolean("fixture.mapped")) {
        assertThat(maps).as("this child's mappings").anyMatch(l -> l.endsWith(archive));
      } else {
        assertThat(maps).as("this child's mappings").noneMatch(l -> l.endsWith(archive));
      }
    }

    /** In the fixture JVM itself: how many JVMs it started to check an archive. */
    @org.junit.jupiter.api.Test
    @org.junit.jupiter.api.Order(2)
    void reportsItsArchiveChecks() {
      System.out.println("archive check JVMs started: " + ClassDataSharing.checkJvmsStarted.get());
    }
  }

  static class QuickCase {
    @org.junit.jupiter.api.Test
    @FreshPid
    void quick() {}
  }

  static class BlockingCase {
    @org.junit.jupiter.api.Test
    @FreshPid
    void blocking() throws Exception {
      Thread.sleep(120_000); // until the fixture JVM is killed
    }
  }

  static class Cases {
    /**
     * The fixture JVM dumps the new archive in the background while this test runs and moves it
     * into place when the dump ends: in the cache while the run goes on.
     */
    @org.junit.jupiter.api.Test
    @FreshPid
    void first() throws Exception {
      Path archive = Path.of(System.getProperty("fixture.archive"));
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (!(Files.isRegularFile(archive)
          && Files.size(archive) > 1 << 20)) { // moved in atomically, never removed
        if (System.nanoTime() > deadline) {
          throw new AssertionError("no class-data sharing archive at " + archive + " within 120 s");
        }
        Thread.sleep(20);
      }
    }

    @org.junit.jupiter.api.Test
    @FreshPid
    void second() {}

    @org.junit.jupiter.api.Test
    @FreshPid
    void third() {}
  }
}
