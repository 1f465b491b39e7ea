package dev.nsjunit.internal.jvm;

import dev.nsjunit.internal.run.RunDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Class-data sharing for child JVMs, the biggest lever on a sandbox's start after the JVM itself:
 * on JDK 17 to 24 a dynamic AppCDS archive, on JDK 25+ an AOT cache, made by the first child of a
 * (JDK, classpath) pair as it exits and mapped by every later one, across runs. The JDK is the
 * child's ({@link ChildJdk}: {@code nsjunit.java} may name another than this JVM's), so a JDK 17
 * parent gives a JDK 25 child an AOT cache and a JDK 25 parent gives a JDK 17 child AppCDS.
 *
 * <p>Archives need a classpath of jars: a non-empty directory breaks the dump. So the child gets
 * its classpath ({@link ChildClasspath}, manifest-only jars already expanded) with the jars first
 * and the directories appended; the archive covers the jars. An archive that does not fit is
 * caught: it is checked once per JVM with {@code -Xshare:on} / {@code -XX:AOTMode=on} (which fail
 * loudly) before use, and a failed dump is not retried in that JVM. Off with {@code
 * nsjunit.cds=false}.
 */
public final class ClassDataSharing {
  private enum State {
    DUMPING,
    READY,
    FAILED
  }

  private static final Map<String, State> states = new ConcurrentHashMap<>();

  /** What one child gets: the JVM options for the archive (if any) and its classpath. */
  public record Plan(List<String> jvmOptions, String classpath) {
    static Plan none(String classpath) {
      return new Plan(List.of(), classpath);
    }
  }

  private ClassDataSharing() {}

  /**
   * The archive's place and the child's classpath for one parent classpath: computed once per JVM.
   */
  private record Layout(
      String forClasspath,
      List<String> moduleOptions,
      List<String> sourceJars,
      List<String> jars,
      String classpath,
      String key,
      Path cache,
      Path archive,
      boolean aot) {}

  /** By child JDK and classpath; test classes of one run share one or a few. */
  private static final Map<String, Layout> layouts = new ConcurrentHashMap<>();

  /**
   * The sharing options and classpath order for a child that runs {@code java} with the classpath
   * {@code original}. With {@code sameJdkAsThisJvm} the child's JDK is this JVM's (nothing to look
   * up); otherwise it is found from {@code java}'s JDK ({@link ChildJdk}), and none is planned when
   * that cannot be told. {@code moduleOptions} are the child's options that the archive must be
   * made with ({@link InheritedJvmOptions#archivedModuleOptions}): they are part of its key, and
   * the dump and the check run with them. A dump runs under {@code launcher} (null: directly),
   * which ends it if this JVM dies.
   */
  public static Plan plan(
      String java,
      Path launcher,
      boolean enabled,
      boolean sameJdkAsThisJvm,
      String original,
      List<String> moduleOptions,
      boolean lambdaClasses) {
    if (!enabled) {
      return Plan.none(original);
    }
    ChildJdk jdk = sameJdkAsThisJvm ? ChildJdk.thisJvm() : ChildJdk.of(java).orElse(null);
    if (jdk == null || jdk.feature() < 17) {
      return Plan.none(original); // below 17 the child cannot run nsjunit's classes anyway
    }
    Plan withoutOurs = new Plan(atArchivedAddress(jdk), original);
    Layout l;
    try {
      l = layout(original, moduleOptions, jdk, lambdaClasses);
    } catch (IOException e) {
      return withoutOurs;
    }
    if (l == null) {
      return withoutOurs;
    }
    State state = states.get(l.key());
    if (state == State.READY
        || (state == null
            && Files.isRegularFile(l.archive())
            // An archive whose rewritten jars were cleaned up is made again, with them.
            && RewrittenJars.presentAndUsed(l.jars())
            && verified(java, jdk, l))) {
      List<String> options = new ArrayList<>(atArchivedAddress(jdk));
      options.add(l.aot() ? "-XX:AOTCache=" + l.archive() : "-XX:SharedArchiveFile=" + l.archive());
      return new Plan(List.copyOf(options), l.classpath());
    }
    if (state == null && states.putIfAbsent(l.key(), State.DUMPING) == null) {
      dumpInBackground(java, launcher, l, l.key());
    }
    return withoutOurs; // this child starts without; later ones use the archive
  }

  /**
   * Maps the archives (the JDK's own and nsjunit's) at the address they were dumped for instead of
   * a random one. The JDKs measured here (17.0.15, 25) relocate them by default (address
   * randomization of class metadata): the JVM rewrites every pointer in some 17 MiB of archive, so
   * each child holds a private copy. At their own address the pages stay shared between all
   * children and need no rewriting (JVM start with the JDK's archive and a small one of its own,
   * {@code perf stat -r 40}: 1,800 fewer page faults, 65 vs 70 ms; a waiting child 8 MiB less
   * private memory). It falls back to relocating when that address is taken. A child is a test's
   * JVM, not a service facing attackers; the flag is a diagnostic one, known in JDKs 17 to 25, so
   * it is given to those only.
   */
  static List<String> atArchivedAddress(ChildJdk jdk) {
    if (jdk.feature() < 17 || jdk.feature() > 25) {
      return List.of();
    }
    return List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0");
  }

  /**
   * Expanding the classpath opens jars and reads their manifests: done once per JVM, not on every
   * sandbox's launch path. Null when the classpath has no jars (nothing to share).
   */
  private static Layout layout(
      String original, List<String> moduleOptions, ChildJdk jdk, boolean lambdaClasses)
      throws IOException {
    String layoutKey =
        jdk.identity() + "\n" + original + "\n" + moduleOptions + "\n" + lambdaClasses;
    Layout known = layouts.get(layoutKey);
    if (known != null) {
      return known.jars().isEmpty() ? null : known;
    }
    List<String> jars = new ArrayList<>();
    List<String> dirs = new ArrayList<>();
    expand(original, jars, dirs);
    Path cache = ArchiveCache.directory();
    boolean aot = usesAotCache(jdk);
    List<String> sourceJars = jars;
    if (rewritesLambdas(jdk, lambdaClasses)) {
      jars = RewrittenJars.forChild(sourceJars, cache);
    }
    Path warmUp = warmUpJar(cache);
    List<String> keyed = new ArrayList<>(jars);
    keyed.add(warmUp.toString());
    String key = key(jdk, moduleOptions, keyed);
    // The dump's classpath (the jars, then the warm-up jar) must be a prefix of the child's.
    List<String> ordered = new ArrayList<>(jars);
    ordered.add(warmUp.toString());
    ordered.addAll(dirs);
    Layout computed =
        new Layout(
            original,
            List.copyOf(moduleOptions),
            List.copyOf(sourceJars),
            List.copyOf(jars),
            String.join(":", ordered),
            key,
            cache,
            cache.resolve(key + (aot ? ".aot" : ".jsa")),
            aot);
    if (layouts.size() > 64) {
      layouts.clear(); // a run with ever new classpaths: keep the cache from growing without bound
    }
    layouts.put(layoutKey, computed);
    return jars.isEmpty() ? null : computed;
  }

  /**
   * Dumps off the critical path: a JVM with the jars only (a non-empty directory makes the JDK
   * refuse to dump) and nsjunit's warm-up jar runs JUnit once and writes the archive at exit, into
   * this JVM's run directory; {@link ArchiveDump} moves it into the cache. The jar stays on every
   * later child's classpath, after the dump's, as the archive requires.
   */
  private static void dumpInBackground(String java, Path launcher, Layout l, String key) {
    Path cache = l.cache();
    Path archive = l.archive();
    Path partial = RunDirectory.get().file("cds-" + archive.getFileName());
    try {
      Path warmUp = warmUpJar(cache);
      List<String> dumpJvm = new ArrayList<>(List.of(java, "-XX:-UsePerfData"));
      dumpJvm.add(
          l.aot() ? "-XX:AOTCacheOutput=" + partial : "-XX:ArchiveClassesAtExit=" + partial);
      dumpJvm.addAll(l.moduleOptions());
      dumpJvm.addAll(
          List.of(
              "-cp",
              String.join(":", l.jars()) + ":" + warmUp,
              CdsWarmUp.class.getName(),
              partial.getParent().toString()));
      Runnable onInstalled =
          () -> {
            states.put(key, State.READY);
            ArchiveFit.forget(ArchiveFit.noteOf(archive)); // a note of an archive replaced
            ArchiveCache.prune(cache, warmUp, Instant.now());
          };
      Runnable onFailed = () -> states.put(key, State.FAILED);
      if (l.jars().equals(l.sourceJars())) {
        ArchiveDump.start(launcher, dumpJvm, partial, archive, onInstalled, onFailed);
      } else {
        // JUnit's jars rewritten first ({@link RewrittenJars}), once per set of jars: about a
        // second, off the test's path like the dump.
        ArchiveDump.startAfter(
            () -> RewrittenJars.write(l.sourceJars(), l.jars()),
            launcher,
            dumpJvm,
            partial,
            archive,
            onInstalled,
            onFailed);
      }
    } catch (IOException e) {
      states.put(key, State.FAILED);
    }
  }

  /**
   * Whether the child gets JUnit's jars with their lambdas as classes ({@link LambdaClasses}): with
   * an AppCDS archive, which archives classes but links every lambda call site again in each JVM.
   * JDK 25's AOT cache keeps call sites linked: there the rewrite measured no gain (a child 248 and
   * 268 ms of CPU with the original jars, 282 and 257 ms rewritten), so those children get the jars
   * as they are.
   */
  static boolean rewritesLambdas(ChildJdk jdk, boolean lambdaClasses) {
    return lambdaClasses && !usesAotCache(jdk);
  }

  /** JDK 25's AOT cache (JEP 483, 514); before, a dynamic AppCDS archive. */
  private static boolean usesAotCache(ChildJdk jdk) {
    return jdk.feature() >= 25;
  }

  /**
   * Where the archive for this JVM's JDK and {@code classpath} lives (for tests and diagnostics).
   */
  static Path archiveFor(String classpath) throws IOException {
    return archiveFor(classpath, ChildJdk.thisJvm(), List.of());
  }

  /** The same, for a child of this JVM's JDK with these module options (tests). */
  static Path archiveFor(String classpath, List<String> moduleOptions) throws IOException {
    return archiveFor(classpath, ChildJdk.thisJvm(), moduleOptions);
  }

  /** Where the archive for a child running {@code java} with {@code classpath} lives (tests). */
  static Path archiveFor(String classpath, String java) throws IOException {
    return archiveFor(classpath, java, List.of());
  }

  /** The same, for a child with these module options (tests). */
  static Path archiveFor(String classpath, String java, List<String> moduleOptions)
      throws IOException {
    return archiveFor(
        classpath,
        ChildJdk.of(java).orElseThrow(() -> new IOException("unknown JDK: " + java)),
        moduleOptions);
  }

  private static Path archiveFor(String classpath, ChildJdk jdk, List<String> moduleOptions)
      throws IOException {
    List<String> jars = new ArrayList<>();
    expand(classpath, jars, new ArrayList<>());
    if (rewritesLambdas(jdk, true)) {
      jars = RewrittenJars.forChild(jars, ArchiveCache.directory());
    }
    jars.add(warmUpJar(ArchiveCache.directory()).toString());
    return ArchiveCache.directory()
        .resolve(key(jdk, moduleOptions, jars) + (usesAotCache(jdk) ? ".aot" : ".jsa"));
  }

  /** Whether this JVM made or checked {@code archive} and hands it to its children (tests). */
  static boolean ready(Path archive) {
    String name = archive.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return states.get(dot < 0 ? name : name.substring(0, dot)) == State.READY;
  }

  private static final List<String> WARM_UP_CLASSES =
      List.of(classFile(CdsWarmUp.class), classFile(CdsWarmUp.Probe.class));

  private static String classFile(Class<?> c) {
    return c.getName().replace('.', '/') + ".class";
  }

  /**
   * A jar with the warm-up classes (they may live in a directory), written once into the cache
   * under a name that carries a hash of their bytes: a changed warm-up gets a new jar, and with it
   * a classpath that no old archive matches.
   */
  private static synchronized Path warmUpJar(Path cache) throws IOException {
    List<byte[]> classes = new ArrayList<>();
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IOException(e);
    }
    for (String entry : WARM_UP_CLASSES) {
      try (java.io.InputStream in =
          ClassDataSharing.class.getClassLoader().getResourceAsStream(entry)) {
        if (in == null) {
          throw new IOException("missing " + entry);
        }
        byte[] bytes = in.readAllBytes();
        classes.add(bytes);
        digest.update(bytes);
      }
    }
    Path jar =
        cache.resolve(
            "nsjunit-cds-warmup-"
                + HexFormat.of().formatHex(digest.digest()).substring(0, 12)
                + ".jar");
    if (Files.isRegularFile(jar)) {
      return jar;
    }
    Path partial = cache.resolve(jar.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
    try (java.util.jar.JarOutputStream out =
        new java.util.jar.JarOutputStream(Files.newOutputStream(partial))) {
      for (int i = 0; i < WARM_UP_CLASSES.size(); i++) {
        java.util.jar.JarEntry e = new java.util.jar.JarEntry(WARM_UP_CLASSES.get(i));
        e.setTime(0); // a stable jar: the archives made with it stay valid
        out.putNextEntry(e);
        out.write(classes.get(i));
        out.closeEntry();
      }
    }
    Files.move(partial, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return jar;
  }

  /**
   * An archive from an earlier run is mapped once with the strict mode, so a mismatch is caught
   * here; unless an earlier JVM did that for the same archive and JDK files ({@link ArchiveFit}).
   */
  private static boolean verified(String java, ChildJdk jdk, Layout l) {
    Path archive = l.archive();
    if (ArchiveFit.known(archive, jdk.home())) {
      states.put(l.key(), State.READY);
      ArchiveCache.markUsed(archive);
      return true;
    }
    List<String> cmd = new ArrayList<>(List.of(java, "-XX:-UsePerfData"));
    cmd.addAll(
        l.aot()
            ? List.of("-XX:AOTMode=on", "-XX:AOTCache=" + archive)
            : List.of("-Xshare:on", "-XX:SharedArchiveFile=" + archive));
    cmd.addAll(l.moduleOptions());
    cmd.addAll(List.of("-cp", l.classpath(), "-version"));
    checkJvmsStarted.incrementAndGet();
    try {
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
        states.put(l.key(), State.READY);
        ArchiveCache.markUsed(archive);
        ArchiveFit.record(archive, jdk.home());
        return true;
      }
      p.destroyForcibly();
    } catch (IOException e) {
      // cannot check: do not use it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    System.err.println(
        "nsjunit: the class-data sharing archive "
            + archive
            + " does not fit this JDK and classpath; making a new one (this run's first child JVMs start without it)");
    deleteQuietly(archive);
    ArchiveFit.forget(ArchiveFit.noteOf(archive));
    return false;
  }

  /** How many JVMs this JVM started to check an archive (tests). */
  static final java.util.concurrent.atomic.AtomicInteger checkJvmsStarted =
      new java.util.concurrent.atomic.AtomicInteger();

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a cache file; the next dump replaces it
    }
  }

  /** Splits the classpath into jars and directories, expanding manifest-only jars (Surefire). */
  static void expand(String classpath, List<String> jars, List<String> dirs) {
    for (String entry : classpath.split(":")) {
      if (entry.isEmpty()) {
        continue;
      }
      Path p = Path.of(entry).toAbsolutePath().normalize();
      if (Files.isDirectory(p)) {
        dirs.add(p.toString());
      } else if (Files.isRegularFile(p)) {
        List<String> referenced = manifestClassPath(p);
        if (!referenced.isEmpty() && isManifestOnly(p)) {
          expand(String.join(":", referenced), jars, dirs);
        } else {
          jars.add(p.toString());
        }
      }
    }
  }

  private static List<String> manifestClassPath(Path jar) {
    try (JarFile file = new JarFile(jar.toFile())) {
      Manifest m = file.getManifest();
      String cp = m == null ? null : m.getMainAttributes().getValue("Class-Path");
      if (cp == null || cp.isBlank()) {
        return List.of();
      }
      List<String> result = new ArrayList<>();
      for (String url : cp.trim().split("\\s+")) {
        result.add(Path.of(jar.getParent().toUri().resolve(url)).toString());
      }
      return result;
    } catch (IOException | IllegalArgumentException e) {
      return List.of();
    }
  }

  private static boolean isManifestOnly(Path jar) {
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.stream().noneMatch(e -> e.getName().endsWith(".class"));
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The archive's name: a hash of the child's JDK, its module options (none: the same name as
   * before they counted) and the jars (paths, sizes, times).
   */
  private static String key(ChildJdk jdk, List<String> moduleOptions, List<String> jars) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(jdk.identity().getBytes(StandardCharsets.UTF_8));
      for (String option : moduleOptions) {
        digest.update(("option|" + option).getBytes(StandardCharsets.UTF_8));
      }
      for (String jar : jars) {
        Path p = Path.of(jar);
        if (RewrittenJars.isCopy(p)) {
          // Its name holds its source's path, size and time; it may not be written yet.
          digest.update(("copy|" + jar).getBytes(StandardCharsets.UTF_8));
          continue;
        }
        digest.update(
            (jar + "|" + Files.size(p) + "|" + Files.getLastModifiedTime(p).toMillis())
                .getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(digest.digest()).substring(0, 24);
    } catch (Exception e) {
      return "unkeyed";
    }
  }
}
