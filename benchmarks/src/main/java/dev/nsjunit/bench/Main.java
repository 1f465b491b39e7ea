package dev.nsjunit.bench;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The benchmark harness: measures everything of docs/performance.md in one run, side by side, and
 * writes that page. Started by {@code benchmarks/run.sh} with a jars-only classpath (the child JVMs
 * of nsjunit get this JVM's classpath, and AppCDS dumping needs jars only).
 *
 * <p>Whole processes are timed by {@code spawnbench} (fork, exec, wait; see src/main/c). Tests are
 * timed in this JVM, after warm-up, from {@code Launcher.execute(request)} to its return: the time
 * from request to result, discovery included. Nothing here asserts a time: a run that does not
 * produce the expected results makes its row say why instead of a number.
 */
public final class Main {
  static final String CHILD_OPTS_DOC =
      "-XX:-UsePerfData -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto";
  static final List<String> CHILD_OPTS = List.of(CHILD_OPTS_DOC.split(" "));
  static final String FIXTURE = "dev.nsjunit.bench.fixture.";

  final Path repo = Path.of(System.getProperty("bench.repo")).toAbsolutePath();
  final Path target = repo.resolve("benchmarks/target");
  final Path work = target.resolve("bench-work");
  final Path launcherBinary = repo.resolve("native-helper/target/native/nsjunit-launch");
  final Path spawnbench = target.resolve("spawnbench");
  final Path consoleJar = target.resolve("console/junit-platform-console-standalone.jar");
  final Path benchJar = target.resolve("nsjunit-benchmarks.jar");
  final Path out =
      Path.of(System.getProperty("bench.out", repo.resolve("docs/performance.md").toString()));
  final Path java17 = Path.of(System.getProperty("java.home"), "bin", "java");
  final Path java25 =
      Path.of(System.getProperty("bench.java25", "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"));
  final boolean quick = Boolean.getBoolean("bench.quick");
  final String classpath = System.getProperty("java.class.path");

  final Map<String, Row> rows = new LinkedHashMap<>();
  final List<String> notes = new ArrayList<>();
  final Launcher launcher = LauncherFactory.create();
  final long started = System.nanoTime();

  /** One line of a table: a measurement, or the reason there is none. */
  record Row(String section, String label, Stats stats, String note) {}

  public static void main(String[] args) throws Exception {
    new Main().run();
  }

  int n(int full, int quickValue) {
    return quick ? quickValue : full;
  }

  String loadAtStart;
  String loadAtEnd;

  void run() throws Exception {
    Files.createDirectories(work);
    loadAtStart = Files.readString(Path.of("/proc/loadavg")).trim();
    progress(
        "harness JVM "
            + System.getProperty("java.vm.version")
            + ", classpath of "
            + classpath.split(":").length
            + " jars");
    // -Dbench.only=launcher,jvm,... runs a subset (for working on the harness); the default runs
    // all.
    List<String> only =
        List.of(
            System.getProperty("bench.only", "launcher,jvm,naive,test,lever,suite,memory,surefire")
                .split(","));
    if (only.contains("launcher")) launcherRows();
    if (only.contains("jvm")) bareJvmRows();
    if (only.contains("naive")) naiveRows();
    if (only.contains("test")) isolatedTestRows();
    if (only.contains("test") || only.contains("breakdown")) timedBreakdown();
    if (only.contains("lever")) leverRows();
    if (only.contains("suite")) suiteRows();
    if (only.contains("memory")) memoryRows();
    if (only.contains("surefire")) surefireRows();
    loadAtEnd = Files.readString(Path.of("/proc/loadavg")).trim();
    Files.writeString(out, new Report(this).markdown(), StandardCharsets.UTF_8);
    progress("wrote " + out + " in " + (System.nanoTime() - started) / 1_000_000_000 + " s");
  }

  // ---------------------------------------------------------------- 1. launcher

  /**
   * The launcher rows run interleaved: rounds of 20 runs of each command in turn, so that load on
   * the machine that changes during the run affects them alike.
   */
  void launcherRows() {
    String s = "launcher";
    int rounds = n(10, 2);
    Map<String, List<String>> commands = new LinkedHashMap<>();
    commands.put("fork/exec /bin/true (no namespaces)", List.of("/bin/true"));
    Optional<Path> cgroup = Optional.empty();
    String cgroupNote = "";
    try {
      cgroup = Optional.of(createPidsCgroup());
    } catch (Exception e) {
      cgroupNote = "no cgroup: " + e.getMessage();
    }
    List<String> ns =
        List.of(launcherBinary.toString(), "--pid", "--mount", "--net", "--uts", "--ipc");
    String withCgroup = "nsjunit-launch --pid --mount --net --uts --ipc --cgroup DIR -- /bin/true";
    if (cgroup.isPresent()) {
      commands.put(
          withCgroup, concat(ns, List.of("--cgroup", cgroup.get().toString(), "--", "/bin/true")));
    } else {
      skip(s, withCgroup, cgroupNote);
    }
    commands.put(
        "nsjunit-launch --pid --mount --net --uts --ipc -- /bin/true (no cgroup)",
        concat(ns, List.of("--", "/bin/true")));
    String unshareLabel =
        "unshare --pid --fork --mount-proc --net --uts --ipc /bin/true (util-linux)";
    Optional<Path> unshare = which("unshare");
    if (unshare.isPresent()) {
      commands.put(
          unshareLabel,
          List.of(
              unshare.get().toString(),
              "--pid",
              "--fork",
              "--mount-proc",
              "--net",
              "--uts",
              "--ipc",
              "/bin/true"));
    } else {
      skip(s, unshareLabel, "unshare not installed");
    }
    String bwrapLabel = "bwrap --unshare-all --dev-bind / / /bin/true (bubblewrap)";
    Optional<Path> bwrap = which("bwrap");
    if (bwrap.isPresent()) {
      commands.put(
          bwrapLabel,
          List.of(bwrap.get().toString(), "--unshare-all", "--dev-bind", "/", "/", "/bin/true"));
    } else {
      skip(
          s,
          bwrapLabel,
          "bwrap not installed (benchmarks/run.sh installs Debian's bubblewrap; apt-get failed or was not possible)");
    }
    Map<String, List<Long>> samples = new LinkedHashMap<>();
    Map<String, String> failed = new LinkedHashMap<>();
    commands.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
    for (int round = 0; round < rounds; round++) {
      for (Map.Entry<String, List<String>> c : commands.entrySet()) {
        if (!failed.containsKey(c.getKey())) {
          try {
            samples.get(c.getKey()).addAll(spawn(20, round == 0 ? 10 : 2, c.getValue()));
          } catch (Exception e) {
            failed.put(c.getKey(), oneLine(e));
          }
        }
      }
    }
    cgroup.ifPresent(this::removeCgroup);
    for (String label : commands.keySet()) {
      if (failed.containsKey(label)) {
        skip(s, label, "failed: " + failed.get(label));
      } else {
        Stats st = Stats.ofNanos(samples.get(label));
        rows.put(s + "|" + label, new Row(s, label, st, "interleaved"));
        progress(label + ": " + st);
      }
    }
  }

  /** A v1 pids cgroup below this process's own (per /proc/self/cgroup), or the v2 group's child. */
  Path createPidsCgroup() throws IOException {
    Path base = null;
    for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
      String[] f = line.split(":", 3);
      if (List.of(f[1].split(",")).contains("pids")
          && Files.isDirectory(Path.of("/sys/fs/cgroup/pids"))) {
        base = Path.of("/sys/fs/cgroup/pids" + f[2]);
      }
    }
    if (base == null) {
      throw new IOException("no v1 pids hierarchy in /proc/self/cgroup");
    }
    Path dir = base.resolve("nsjunit-bench-" + ProcessHandle.current().pid());
    Files.createDirectory(dir);
    return dir;
  }

  void removeCgroup(Path dir) {
    for (int i = 0; i < 50; i++) {
      try {
        Files.deleteIfExists(dir);
        return;
      } catch (IOException e) {
        sleep(20);
      }
    }
    notes.add("could not remove the benchmark cgroup " + dir);
  }

  // ---------------------------------------------------------------- 2. floors and baselines

  void bareJvmRows() {
    String s = "jvm";
    int runs = n(20, 5);
    measure(
        s,
        "bare JVM 17: java -cp <same classpath> Hello (plain)",
        () ->
            spawn(
                runs,
                3,
                concat(
                    List.of(java17.toString(), "-cp", classpath), List.of(Hello.class.getName()))));
    measure(
        s,
        "bare JVM 17: java " + CHILD_OPTS_DOC + " -cp <same classpath> Hello",
        () ->
            spawn(
                runs,
                3,
                concat(
                    List.of(java17.toString()),
                    CHILD_OPTS,
                    List.of("-cp", classpath, Hello.class.getName()))));
    measure(
        s,
        "JVM 17 + JUnit floor: java "
            + CHILD_OPTS_DOC
            + " -cp <same classpath> JUnitOnce PlainTrivial#empty",
        () ->
            spawn(
                runs,
                3,
                concat(
                    List.of(java17.toString()),
                    CHILD_OPTS,
                    List.of(
                        "-cp",
                        classpath,
                        JUnitOnce.class.getName(),
                        FIXTURE + "PlainTrivial#empty"))));
    if (Files.isExecutable(java25)) {
      measure(
          s,
          "bare JVM 25: java " + CHILD_OPTS_DOC + " -cp <same classpath> Hello",
          () ->
              spawn(
                  runs,
                  3,
                  concat(
                      List.of(java25.toString()),
                      CHILD_OPTS,
                      List.of("-cp", classpath, Hello.class.getName()))));
    } else {
      skip(
          s,
          "bare JVM 25: java " + CHILD_OPTS_DOC + " -cp <same classpath> Hello",
          "no JDK 25 at " + java25);
    }
  }

  void naiveRows() {
    String s = "jvm";
    String label =
        "naive: unshare --pid --fork --mount-proc --net java -jar junit-platform-console-standalone.jar execute "
            + "--select-method PlainTrivial#empty";
    Optional<Path> unshare = which("unshare");
    if (unshare.isEmpty() || !Files.isRegularFile(consoleJar)) {
      skip(
          s,
          label,
          unshare.isEmpty()
              ? "unshare not installed"
              : "console launcher jar missing: " + consoleJar);
      return;
    }
    measure(
        s,
        label,
        () ->
            spawn(
                n(12, 3),
                2,
                List.of(
                    unshare.get().toString(),
                    "--pid",
                    "--fork",
                    "--mount-proc",
                    "--net",
                    java17.toString(),
                    "-jar",
                    consoleJar.toString(),
                    "execute",
                    "--disable-banner",
                    "--details=none",
                    "--fail-if-no-tests",
                    "--class-path",
                    benchJar.toString(),
                    "--select-method",
                    FIXTURE + "PlainTrivial#empty")));
  }

  // ---------------------------------------------------------------- 2 and 4. one test in this JVM

  /** One way to run the trivial test: its row, its configuration, its selector. */
  record Scenario(
      String section, String label, Map<String, String> params, DiscoverySelector selector) {}

  Path jsa;
  Path aot;
  static final String C1_SERIAL = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

  void isolatedTestRows() {
    String s = "test";
    measure(
        s,
        "in-process (no annotation), warm JVM",
        () -> junit(50, n(300, 50), Map.of(), 1, method("PlainTrivial", "empty")));
    prepareArchives();
    // The single-test variants run interleaved (one of each per round), so that load on the
    // machine that changes during the run affects them alike.
    List<Scenario> all = new ArrayList<>();
    all.add(
        new Scenario(
            s,
            "@FreshPid, defaults (fastStart, built-in class-data sharing)",
            Map.of(),
            method("FreshPidTrivial", "empty")));
    all.add(new Scenario(s, "@IsolatedNetns", Map.of(), method("NetnsTrivial", "empty")));
    String cgLabel = "@CgroupLimit(memory=\"256M\")";
    if (classExists(FIXTURE + "CgroupLimitTrivial")) {
      all.add(new Scenario(s, cgLabel, Map.of(), method("CgroupLimitTrivial", "empty")));
    } else {
      skip(
          s,
          cgLabel,
          "not yet available: @CgroupLimit is not in the extension this was built from");
    }
    String l = "lever";
    all.add(
        new Scenario(
            l,
            "@FreshPid, nsjunit.fastStart=false",
            Map.of("nsjunit.fastStart", "false"),
            method("FreshPidTrivial", "empty")));
    all.add(
        new Scenario(
            l,
            "@FreshPid, nsjunit.cds=false (built-in class-data sharing off)",
            Map.of("nsjunit.cds", "false"),
            method("FreshPidTrivial", "empty")));
    if (jsa != null) {
      all.add(
          new Scenario(
              l,
              "@FreshPid + AppCDS: nsjunit.jvmArgs=-XX:SharedArchiveFile=<jsa> (JDK 17)",
              Map.of("nsjunit.jvmArgs", "-XX:SharedArchiveFile=" + jsa),
              method("FreshPidTrivial", "empty")));
    }
    if (Files.isExecutable(java25)) {
      all.add(
          new Scenario(
              l,
              "@FreshPid, child on JDK 25 (nsjunit.java)",
              Map.of("nsjunit.java", java25.toString()),
              method("FreshPidTrivial", "empty")));
    }
    if (aot != null) {
      all.add(
          new Scenario(
              l,
              "@FreshPid, child on JDK 25 + AOT cache: fastStart=false, jvmArgs="
                  + C1_SERIAL
                  + " -XX:AOTCache=<aot>",
              aotParams(C1_SERIAL + " -XX:AOTCache=" + aot),
              method("FreshPidTrivial", "empty")));
    }
    interleaved(all, 2, n(20, 5));
    if (jsa != null) {
      measure(
          "jvm",
          "bare JVM 17: java "
              + CHILD_OPTS_DOC
              + " -XX:SharedArchiveFile=<the child's jsa> -cp <same classpath> Hello",
          () ->
              spawn(
                  n(20, 5),
                  3,
                  concat(
                      List.of(java17.toString()),
                      CHILD_OPTS,
                      List.of(
                          "-XX:SharedArchiveFile=" + jsa,
                          "-cp",
                          classpath,
                          Hello.class.getName()))));
    }
    if (aot != null) {
      measure(
          "jvm",
          "bare JVM 25: java -XX:-UsePerfData "
              + C1_SERIAL
              + " -XX:AOTCache=<the child's aot> -cp <same classpath> Hello",
          () ->
              spawn(
                  n(20, 5),
                  3,
                  concat(
                      List.of(java25.toString(), "-XX:-UsePerfData"),
                      List.of(C1_SERIAL.split(" ")),
                      List.of("-XX:AOTCache=" + aot, "-cp", classpath, Hello.class.getName()))));
    }
  }

  void interleaved(List<Scenario> scenarios, int warmup, int runs) {
    Map<Scenario, List<Long>> samples = new LinkedHashMap<>();
    Map<Scenario, String> failed = new LinkedHashMap<>();
    for (Scenario sc : scenarios) {
      samples.put(sc, new ArrayList<>());
    }
    for (int round = 0; round < warmup + runs; round++) {
      for (Scenario sc : scenarios) {
        if (failed.containsKey(sc)) {
          continue;
        }
        try {
          long t = junit(0, 1, sc.params(), 1, sc.selector()).get(0);
          if (round >= warmup) {
            samples.get(sc).add(t);
          }
        } catch (Exception | AssertionError e) {
          failed.put(sc, oneLine(e));
        }
      }
    }
    for (Scenario sc : scenarios) {
      if (failed.containsKey(sc)) {
        skip(sc.section(), sc.label(), "failed: " + failed.get(sc));
      } else {
        Stats st = Stats.ofNanos(samples.get(sc));
        rows.put(
            sc.section() + "|" + sc.label(), new Row(sc.section(), sc.label(), st, "interleaved"));
        progress(sc.label() + ": " + st);
      }
    }
  }

  /** Medians of the three parts of an isolated test (see FreshPidTimed). */
  record Breakdown(int n, double beforeJvm, double bootToBody, double bodyToResult, double total) {}

  Breakdown breakdown;

  void timedBreakdown() {
    int runs = n(15, 3);
    double[] before = new double[runs];
    double[] boot = new double[runs];
    double[] back = new double[runs];
    double[] total = new double[runs];
    try {
      for (int i = 0; i < runs + 2; i++) {
        Map<String, String> entries = new java.util.concurrent.ConcurrentHashMap<>();
        org.junit.platform.launcher.TestExecutionListener l =
            new org.junit.platform.launcher.TestExecutionListener() {
              @Override
              public void reportingEntryPublished(
                  org.junit.platform.launcher.TestIdentifier id,
                  org.junit.platform.engine.reporting.ReportEntry e) {
                entries.putAll(e.getKeyValuePairs());
              }
            };
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        long t0 = System.currentTimeMillis();
        launcher.execute(
            LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(FIXTURE + "FreshPidTimed"))
                .build(),
            l,
            summary);
        long t1 = System.currentTimeMillis();
        if (summary.getSummary().getTestsSucceededCount() != 1 || !entries.containsKey("body")) {
          StringWriter w = new StringWriter();
          summary.getSummary().printFailuresTo(new PrintWriter(w), 5);
          throw new IllegalStateException(
              "FreshPidTimed: "
                  + summary.getSummary().getTestsSucceededCount()
                  + " passed, entries "
                  + entries
                  + ": "
                  + w.toString().lines().limit(6).collect(Collectors.joining(" | ")));
        }
        if (i >= 2) {
          long jvmStart = Long.parseLong(entries.get("jvmStart"));
          long body = Long.parseLong(entries.get("body"));
          before[i - 2] = jvmStart - t0;
          boot[i - 2] = body - jvmStart;
          back[i - 2] = t1 - body;
          total[i - 2] = t1 - t0;
        }
      }
      breakdown =
          new Breakdown(
              runs,
              Stats.ofMillis(before).median(),
              Stats.ofMillis(boot).median(),
              Stats.ofMillis(back).median(),
              Stats.ofMillis(total).median());
      progress("breakdown: " + breakdown);
    } catch (Exception e) {
      notes.add("the time breakdown of an isolated test failed: " + oneLine(e));
    }
  }

  /**
   * AppCDS (JDK 17) and the AOT cache (JDK 25), each dumped once through a real sandbox and
   * verified.
   */
  void prepareArchives() {
    Path file = work.resolve("cds/child-jdk17.jsa");
    try {
      Files.createDirectories(file.getParent());
      Files.deleteIfExists(file);
      long t0 = System.nanoTime();
      junit(
          0,
          1,
          Map.of(
              "nsjunit.jvmArgs",
              "-XX:ArchiveClassesAtExit=" + file + " -Xlog:cds=off -Xlog:cds+dynamic=off"),
          1,
          method("FreshPidTrivial", "empty"));
      long dumpMs = (System.nanoTime() - t0) / 1_000_000;
      waitForFile(file, 10_000);
      notes.add(
          String.format(
              Locale.ROOT,
              "AppCDS dump (JDK 17, one isolated test with -XX:ArchiveClassesAtExit): %d ms, archive %d KiB",
              dumpMs,
              Files.size(file) / 1024));
      // -Xshare:on makes an unusable archive an error instead of a silent fallback.
      junit(
          0,
          1,
          Map.of("nsjunit.jvmArgs", "-XX:SharedArchiveFile=" + file + " -Xshare:on"),
          1,
          method("FreshPidTrivial", "empty"));
      jsa = file;
    } catch (Exception | AssertionError e) {
      skip(
          "lever",
          "@FreshPid + AppCDS: nsjunit.jvmArgs=-XX:SharedArchiveFile=<jsa> (JDK 17)",
          "failed: " + oneLine(e));
    }
    String aotLabel = "@FreshPid, child on JDK 25 + AOT cache";
    if (!Files.isExecutable(java25)) {
      skip("lever", aotLabel, "no JDK 25 at " + java25);
      return;
    }
    // The AOT cache cannot be combined with any -Xshare option, and fastStart adds -Xshare:auto:
    // so these runs turn fastStart off and pass its other two options themselves.
    Path cache = work.resolve("cds/child-jdk25.aot");
    try {
      Files.deleteIfExists(cache);
      long t0 = System.nanoTime();
      junit(
          0,
          1,
          aotParams(C1_SERIAL + " -XX:AOTCacheOutput=" + cache),
          1,
          method("FreshPidTrivial", "empty"));
      long dumpMs = (System.nanoTime() - t0) / 1_000_000;
      waitForFile(cache, 60_000);
      notes.add(
          String.format(
              Locale.ROOT,
              "AOT cache (JDK 25, one isolated test with -XX:AOTCacheOutput): %d ms until the test's result, "
                  + "cache %d KiB (the JVM assembles it in a second JVM as it exits)",
              dumpMs,
              Files.size(cache) / 1024));
      // -XX:AOTMode=on makes an unusable cache an error instead of a silent fallback.
      junit(
          0,
          1,
          aotParams(C1_SERIAL + " -XX:AOTCache=" + cache + " -XX:AOTMode=on"),
          1,
          method("FreshPidTrivial", "empty"));
      aot = cache;
    } catch (Exception | AssertionError e) {
      skip("lever", aotLabel, "failed: " + oneLine(e));
    }
  }

  void leverRows() {
    String s = "lever";
    // C1 only on a CPU-heavy test.
    measure(
        s,
        "CPU-heavy test in-process (warm JVM, C2)",
        () -> junit(1, n(3, 1), Map.of(), 1, method("CpuHeavy$InProcess", "compute")));
    measure(
        s,
        "CPU-heavy @FreshPid, fastStart=true (C1 only)",
        () -> junit(0, n(3, 1), Map.of(), 1, method("CpuHeavy", "compute")));
    measure(
        s,
        "CPU-heavy @FreshPid, fastStart=false (C1+C2)",
        () ->
            junit(
                0,
                n(3, 1),
                Map.of("nsjunit.fastStart", "false"),
                1,
                method("CpuHeavy", "compute")));
  }

  Map<String, String> aotParams(String jvmArgs) {
    return Map.of(
        "nsjunit.java",
        java25.toString(),
        "nsjunit.fastStart",
        "false",
        "nsjunit.jvmArgs",
        jvmArgs);
  }

  // ---------------------------------------------------------------- 3. 100 tests

  void suiteRows() {
    String s = "suite";
    int reps = n(3, 1);
    measure(
        s,
        "100 @FreshPid tests, sequential",
        () -> junit(0, reps, Map.of(), 100, selectClass(FIXTURE + "Suite100")));
    measure(
        s,
        "100 @FreshPid tests, parallel (concurrent, fixed parallelism 2)",
        () -> junit(0, reps, parallel(2), 100, selectClass(FIXTURE + "Suite100")));
    if (jsa != null) {
      Map<String, String> params = new LinkedHashMap<>(parallel(2));
      params.put("nsjunit.jvmArgs", "-XX:SharedArchiveFile=" + jsa);
      measure(
          s,
          "100 @FreshPid tests, parallel (fixed parallelism 2) + AppCDS (JDK 17)",
          () -> junit(0, 1, params, 100, selectClass(FIXTURE + "Suite100")));
    }
  }

  static Map<String, String> parallel(int parallelism) {
    return Map.of(
        "junit.jupiter.execution.parallel.enabled", "true",
        "junit.jupiter.execution.parallel.mode.default", "concurrent",
        "junit.jupiter.execution.parallel.mode.classes.default", "concurrent",
        "junit.jupiter.execution.parallel.config.strategy", "fixed",
        "junit.jupiter.execution.parallel.config.fixed.parallelism", Integer.toString(parallelism));
  }

  // ---------------------------------------------------------------- 3. memory

  /** Memory of the parent per running sandbox, and of a child JVM. */
  record Memory(
      int sandboxes,
      long heapDeltaKiB,
      long rssDeltaKiB,
      int threadDelta,
      List<Long> childHwmKiB,
      List<Long> childRssKiB) {}

  Memory memory;
  String memoryFailure;

  void memoryRows() {
    int count = 8;
    try {
      Path dir = work.resolve("sleeper");
      deleteTree(dir);
      Files.createDirectories(dir);
      System.setProperty("bench.sleeper.dir", dir.toString());
      System.gc();
      sleep(200);
      System.gc();
      long heap0 = usedHeap();
      long rss0 = procStatusKiB(Path.of("/proc/self/status"), "VmRSS");
      int threads0 = Thread.activeCount();
      Throwable[] failure = new Throwable[1];
      Thread runner =
          new Thread(
              () -> {
                try {
                  junit(0, 1, parallel(count), count, selectClass(FIXTURE + "Sleeper"));
                } catch (Throwable t) {
                  failure[0] = t;
                }
              },
              "sleeper-run");
      runner.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (startedCount(dir) < count && System.nanoTime() < deadline && runner.isAlive()) {
        sleep(50);
      }
      if (startedCount(dir) < count) {
        Files.writeString(dir.resolve("release"), "");
        runner.join(120_000);
        throw new IllegalStateException(
            "only "
                + startedCount(dir)
                + " of "
                + count
                + " sandboxes started"
                + (failure[0] != null ? ": " + oneLine(failure[0]) : ""));
      }
      System.gc();
      sleep(200);
      System.gc();
      long heap1 = usedHeap();
      long rss1 = procStatusKiB(Path.of("/proc/self/status"), "VmRSS");
      int threads1 = Thread.activeCount();
      List<Long> hwm = new ArrayList<>();
      List<Long> rss = new ArrayList<>();
      for (Path proc : childJvms()) {
        hwm.add(procStatusKiB(proc.resolve("status"), "VmHWM"));
        rss.add(procStatusKiB(proc.resolve("status"), "VmRSS"));
      }
      Files.writeString(dir.resolve("release"), "");
      runner.join(120_000);
      if (failure[0] != null) {
        throw new IllegalStateException(oneLine(failure[0]));
      }
      memory =
          new Memory(
              count,
              (heap1 - heap0) / 1024 / count,
              (rss1 - rss0) / count,
              (threads1 - threads0) / count,
              hwm,
              rss);
      progress("memory: " + memory);
    } catch (Exception e) {
      memoryFailure = oneLine(e);
      progress("memory: failed: " + memoryFailure);
    }
  }

  static long startedCount(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("started-")).count();
    }
  }

  /** /proc/<pid> of every child JVM on the machine (its command line names ChildMain). */
  static List<Path> childJvms() throws IOException {
    // Only this JVM's children: their channel socket lives in run-<this pid>-<start>/.
    String mine = "/run-" + ProcessHandle.current().pid() + "-";
    List<Path> result = new ArrayList<>();
    try (Stream<Path> s = Files.list(Path.of("/proc"))) {
      for (Path p :
          s.filter(p -> p.getFileName().toString().matches("\\d+")).collect(Collectors.toList())) {
        try {
          String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
          // The launcher and the sandbox's init carry the java command in their argv too.
          String argv0 = cmd.split("\0", 2)[0];
          if (cmd.contains("dev.nsjunit.internal.child.ChildMain")
              && argv0.endsWith("/java")
              && cmd.contains(mine)) {
            result.add(p);
          }
        } catch (IOException gone) {
          // ended meanwhile
        }
      }
    }
    return result;
  }

  static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  static long procStatusKiB(Path status, String key) throws IOException {
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith(key + ":")) {
        return Long.parseLong(line.substring(key.length() + 1).trim().split("\\s+")[0]);
      }
    }
    throw new IOException(key + " not in " + status);
  }

  // ---------------------------------------------------------------- 2. Surefire

  /**
   * Surefire forkCount=1 reuseForks=false, one test per class, in a generated project: the cost of
   * one fork is (time of a run over 10 classes - time of a run over 1 class) / 9, so Maven's own
   * start and the project's build are subtracted. Runs are interleaved (1, 10, 1, 10, ...), and
   * each pair gives one estimate.
   */
  void surefireRows() {
    String s = "jvm";
    String label = "Surefire forkCount=1 reuseForks=false, per fork (one test per class)";
    Optional<Path> mvn = which("mvn");
    if (mvn.isEmpty()) {
      skip(s, label, "mvn not on PATH");
      return;
    }
    try {
      Path project = work.resolve("surefire-project");
      deleteTree(project);
      writeSurefireProject(project);
      runQuiet(
          project, List.of(mvn.get().toString(), "-B", "-q", "test-compile", "surefire:test"), 600);
      int pairs = n(3, 1);
      List<Long> one = new ArrayList<>();
      List<Long> ten = new ArrayList<>();
      double[] perFork = new double[pairs];
      List<String> base = List.of(mvn.get().toString(), "-B", "-q", "-o", "surefire:test");
      for (int i = 0; i < pairs; i++) {
        long a = spawnIn(project, 1, 0, concat(base, List.of("-Dtest=Fork01Test"))).get(0);
        long b = spawnIn(project, 1, 0, base).get(0);
        one.add(a);
        ten.add(b);
        perFork[i] = (b - a) / 9.0 / 1e6;
      }
      rows.put(
          s + "|mvn surefire:test, 1 class",
          new Row(s, "mvn -o surefire:test, 1 class (1 fork)", Stats.ofNanos(one), ""));
      rows.put(
          s + "|mvn surefire:test, 10 classes",
          new Row(s, "mvn -o surefire:test, 10 classes (10 forks)", Stats.ofNanos(ten), ""));
      rows.put(
          s + "|" + label,
          new Row(
              s,
              label,
              Stats.ofMillis(perFork),
              "(10 classes - 1 class) / 9, per interleaved pair"));
      progress(label + ": " + Stats.ofMillis(perFork));
    } catch (Exception e) {
      skip(s, label, "failed: " + oneLine(e));
    }
  }

  void writeSurefireProject(Path project) throws IOException {
    Path src = project.resolve("src/test/java/bench");
    Files.createDirectories(src);
    String junit = System.getProperty("bench.junit.version", "5.14.4");
    String surefire = System.getProperty("bench.surefire.version", "3.5.4");
    Files.writeString(
        project.resolve("pom.xml"),
        String.join(
            "\n",
            "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">",
            "  <modelVersion>4.0.0</modelVersion>",
            "  <groupId>bench</groupId><artifactId>surefire-forks</artifactId><version>1</version>",
            "  <properties><maven.compiler.release>17</maven.compiler.release>",
            "    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>",
            "  <dependencies><dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId>",
            "    <version>" + junit + "</version><scope>test</scope></dependency></dependencies>",
            "  <build><plugins>",
            "    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>",
            "    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-surefire-plugin</artifactId><version>"
                + surefire
                + "</version>",
            "      <configuration><forkCount>1</forkCount><reuseForks>false</reuseForks></configuration></plugin>",
            "  </plugins></build>",
            "</project>",
            ""));
    for (int i = 1; i <= 10; i++) {
      String name = String.format(Locale.ROOT, "Fork%02dTest", i);
      Files.writeString(
          src.resolve(name + ".java"),
          "package bench;\nclass "
              + name
              + " {\n  @org.junit.jupiter.api.Test\n  void empty() {}\n}\n");
    }
  }

  // ---------------------------------------------------------------- machinery

  interface Measurement {
    List<Long> nanos() throws Exception;
  }

  void measure(String section, String label, Measurement m) {
    try {
      Stats st = Stats.ofNanos(m.nanos());
      rows.put(section + "|" + label, new Row(section, label, st, ""));
      progress(label + ": " + st);
    } catch (Exception | AssertionError e) {
      skip(section, label, "failed: " + oneLine(e));
    }
  }

  void skip(String section, String label, String why) {
    rows.put(section + "|" + label, new Row(section, label, null, why));
    progress(label + ": NOT MEASURED: " + why);
  }

  void progress(String line) {
    System.err.printf(
        Locale.ROOT, "[bench %4ds] %s%n", (System.nanoTime() - started) / 1_000_000_000, line);
  }

  List<Long> spawn(int runs, int warmup, List<String> command) throws Exception {
    return spawnIn(repo, runs, warmup, command);
  }

  /** Runs spawnbench in {@code dir}; returns the wall time of each measured run. */
  List<Long> spawnIn(Path dir, int runs, int warmup, List<String> command) throws Exception {
    List<String> argv =
        concat(
            List.of(spawnbench.toString(), Integer.toString(runs), Integer.toString(warmup)),
            command);
    Path err = Files.createTempFile(work, "spawn", ".err");
    try {
      Process p =
          new ProcessBuilder(argv).directory(dir.toFile()).redirectError(err.toFile()).start();
      String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int rc = p.waitFor();
      if (rc != 0) {
        throw new IllegalStateException(
            "spawnbench exit " + rc + ": " + tail(Files.readString(err), 600));
      }
      List<Long> result =
          stdout
              .lines()
              .filter(l -> !l.isBlank())
              .map(Long::parseLong)
              .collect(Collectors.toList());
      if (result.size() != runs) {
        throw new IllegalStateException("expected " + runs + " samples, got " + result.size());
      }
      return result;
    } finally {
      Files.deleteIfExists(err);
    }
  }

  void runQuiet(Path dir, List<String> argv, int timeoutSeconds) throws Exception {
    Path log = work.resolve("command.log");
    Process p =
        new ProcessBuilder(argv)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", argv) + ": timed out");
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          String.join(" ", argv)
              + ": exit "
              + p.exitValue()
              + ": "
              + tail(Files.readString(log), 600));
    }
  }

  /** Runs the selected tests {@code warmup + runs} times in this JVM; times each measured run. */
  List<Long> junit(
      int warmup, int runs, Map<String, String> params, long expected, DiscoverySelector selector) {
    List<Long> result = new ArrayList<>();
    for (int i = 0; i < warmup + runs; i++) {
      LauncherDiscoveryRequest request =
          LauncherDiscoveryRequestBuilder.request()
              .selectors(selector)
              .configurationParameters(params)
              .build();
      SummaryGeneratingListener listener = new SummaryGeneratingListener();
      long t0 = System.nanoTime();
      launcher.execute(request, listener);
      long elapsed = System.nanoTime() - t0;
      TestExecutionSummary summary = listener.getSummary();
      if (summary.getTotalFailureCount() > 0 || summary.getTestsSucceededCount() != expected) {
        StringWriter w = new StringWriter();
        summary.printFailuresTo(new PrintWriter(w), 5);
        throw new IllegalStateException(
            "expected "
                + expected
                + " passed tests, got "
                + summary.getTestsSucceededCount()
                + " passed, "
                + summary.getTotalFailureCount()
                + " failed, "
                + summary.getTestsAbortedCount()
                + " aborted: "
                + tail(w.toString(), 800));
      }
      if (i >= warmup) {
        result.add(elapsed);
      }
    }
    return result;
  }

  static DiscoverySelector method(String simpleClass, String name) {
    return selectMethod(FIXTURE + simpleClass + "#" + name);
  }

  static boolean classExists(String name) {
    try {
      Class.forName(name, false, Main.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  static Optional<Path> which(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path p = Path.of(dir, program);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** First line of a command's combined output, or "" when it cannot run. */
  static String firstLine(List<String> argv) {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(30, TimeUnit.SECONDS);
      return text.lines().filter(l -> !l.isBlank()).findFirst().orElse("").trim();
    } catch (Exception e) {
      return "";
    }
  }

  static void waitForFile(Path file, long millis) throws IOException {
    long deadline = System.currentTimeMillis() + millis;
    while (!Files.isRegularFile(file) && System.currentTimeMillis() < deadline) {
      sleep(50);
    }
    if (!Files.isRegularFile(file) || Files.size(file) == 0) {
      throw new IOException(file + " was not written");
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p :
          s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).collect(Collectors.toList())) {
        Files.deleteIfExists(p);
      }
    }
  }

  @SafeVarargs
  static List<String> concat(List<String>... parts) {
    List<String> all = new ArrayList<>();
    for (List<String> p : parts) {
      all.addAll(p);
    }
    return all;
  }

  static String tail(String s, int max) {
    String t = s.strip().replaceAll("\\s*\\n\\s*", " | ");
    return t.length() <= max ? t : "..." + t.substring(t.length() - max);
  }

  static String oneLine(Throwable e) {
    String m = e.getClass().getSimpleName() + ": " + e.getMessage();
    return tail(m, 600);
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String now() {
    return ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
  }

  static String uptimeArgs() {
    return String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments());
  }
}
