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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
  /** What nsjunit gives a child JVM by default (ChildCommand), for the floors' bare JVM rows. */
  static final String CHILD_OPTS_DOC =
      "-XX:-UsePerfData -XX:CompileThresholdScaling=5 -XX:+UseSerialGC -Xms8m -XX:MinHeapFreeRatio=70 -XX:MaxHeapFreeRatio=90";

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

  /** CPU time of the same loop on each CPU (ms, median of 3), at the start and at the end. */
  List<Double> coreSpeedAtStart = List.of();

  List<Double> coreSpeedAtEnd = List.of();

  void run() throws Exception {
    Files.createDirectories(work);
    loadAtStart = Files.readString(Path.of("/proc/loadavg")).trim();
    coreSpeedAtStart = coreSpeeds();
    waitForEqualCoresAtStart();
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
            System.getProperty(
                    "bench.only",
                    "launcher,jvm,naive,test,lever,suite,freshsuite,childcpu,memory,surefire")
                .split(","));
    if (only.contains("launcher")) launcherRows();
    if (only.contains("jvm")) bareJvmRows();
    if (only.contains("naive")) naiveRows();
    if (only.contains("test")) isolatedTestRows();
    if (only.contains("test") || only.contains("breakdown")) timedBreakdown();
    if (only.contains("lever")) leverRows();
    if (only.contains("criu") && !only.contains("lever")) criuCheck();
    if (only.contains("suite")) suiteRows();
    if (only.contains("suite") || only.contains("locks")) parentLockRows();
    if (only.contains("freshsuite")) freshSuiteRows();
    if (only.contains("childcpu")) childCpuRows();
    if (only.contains("memory")) memoryRows();
    if (only.contains("memory") || only.contains("prestart")) prestartMemoryRows();
    if (only.contains("surefire")) surefireRows();
    loadAtEnd = Files.readString(Path.of("/proc/loadavg")).trim();
    coreSpeedAtEnd = coreSpeeds();
    Files.writeString(out, new Report(this).markdown(), StandardCharsets.UTF_8);
    progress("wrote " + out + " in " + (System.nanoTime() - started) / 1_000_000_000 + " s");
  }

  /**
   * The same loop ({@code corespeed}) pinned to each CPU in turn, 3 rounds: its CPU time there (ms,
   * medians), or an empty list when it cannot be run (no taskset, not built).
   */
  List<Double> coreSpeeds() {
    int cpus = Runtime.getRuntime().availableProcessors();
    List<List<Double>> samples = new ArrayList<>();
    for (int c = 0; c < cpus; c++) {
      samples.add(new ArrayList<>());
    }
    try {
      for (int round = 0; round < 3; round++) {
        List<Double> times = coreTimes();
        for (int c = 0; c < cpus; c++) {
          samples.get(c).add(times.get(c));
        }
      }
    } catch (Exception e) {
      progress("CPU speed by core: not measured: " + oneLine(e));
      return List.of();
    }
    List<Double> medians = new ArrayList<>();
    for (List<Double> s : samples) {
      medians.add(Stats.ofMillis(s.stream().mapToDouble(d -> d).toArray()).median());
    }
    progress("CPU speed by core (ms of CPU for the same loop): " + medians);
    return medians;
  }

  /** One run of {@code corespeed} pinned to each CPU in turn: its CPU time there, ms. */
  List<Double> coreTimes() throws Exception {
    Path probe = target.resolve("corespeed");
    List<Double> times = new ArrayList<>();
    for (int c = 0; c < Runtime.getRuntime().availableProcessors(); c++) {
      LineOut out =
          runForLine(
              "corespeed",
              List.of("taskset", "-c", Integer.toString(c), probe.toString()),
              "cpu ",
              60);
      times.add(Double.parseDouble(out.fields()[1]));
    }
    times.forEach(t -> fastestCoreMs = Math.min(fastestCoreMs, t));
    return times;
  }

  /**
   * Above this ratio of a probe's slowest core time to the fastest time any core took in this run,
   * a core counts as slow: the probes of equal cores here differ by up to 5%, a slow core's by 1.9
   * to 2.2x. Against the run's fastest, not only the probe's other core: the whole VM slows down at
   * times too (both cores at 2x), which a ratio of the cores to each other does not see.
   */
  static final double SLOW_CORE = 1.15;

  /** The fastest time any core took for the probe loop in this run so far, ms. */
  double fastestCoreMs = Double.MAX_VALUE;

  /** A probe's slowest core time over the run's fastest (1 when the probe could not run). */
  double spread(List<Double> times) {
    if (times.isEmpty()) {
      return 1;
    }
    double slowest = times.stream().mapToDouble(d -> d).max().getAsDouble();
    double fastest = times.stream().mapToDouble(d -> d).min().getAsDouble();
    return slowest / Math.min(fastest, fastestCoreMs);
  }

  /** Every probe taken between the suites' rounds, in order. */
  final List<List<Double>> roundProbes = new ArrayList<>();

  /** How long the suites' rounds waited, in all, for the cores to be equal again (ns). */
  long coreWaitNanos;

  /**
   * The longest the suites' rounds may wait for equal cores, in all: a slow core lasts minutes
   * here, the whole run's rounds take about 15.
   */
  final long coreWaitBudgetNanos =
      TimeUnit.SECONDS.toNanos(Long.getLong("bench.coreWaitSeconds", quick ? 0 : 240));

  /**
   * Before a round of a suite pair: probes the cores; while they are unequal, and the run's budget
   * lasts, waits and probes again, so that rounds run on equal cores where the machine allows it.
   * Returns the last probe's spread (1 when the probe cannot run). A round's result is then known
   * to have met unequal cores when this probe or the next one (before the next round, or {@link
   * #probeAfterRounds}) says so; a slow spell that begins and ends within a round goes unseen.
   */
  double probeBeforeRound() {
    try {
      List<Double> times = coreTimes();
      while (spread(times) > SLOW_CORE && coreWaitNanos < coreWaitBudgetNanos) {
        progress("a core slow " + times + ": waiting before the next round");
        long t0 = System.nanoTime();
        Thread.sleep(10_000);
        coreWaitNanos += System.nanoTime() - t0;
        times = coreTimes();
      }
      roundProbes.add(times);
      return spread(times);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } catch (Exception e) {
      return 1;
    }
  }

  /** How long the run waited at its start for the cores to be equal (ns). */
  long startWaitNanos;

  /**
   * The sections before the suites (the launcher, single tests, levers) are not probed round by
   * round: they start only once the cores are equal, or the same budget as the rounds' is spent.
   */
  void waitForEqualCoresAtStart() throws InterruptedException {
    while (spread(coreSpeedAtStart) > SLOW_CORE && startWaitNanos < coreWaitBudgetNanos) {
      progress("a core slow " + coreSpeedAtStart + ": waiting before the first section");
      long t0 = System.nanoTime();
      Thread.sleep(10_000);
      startWaitNanos += System.nanoTime() - t0;
      coreSpeedAtStart = coreSpeeds();
    }
  }

  /** After a section's last round: the probe that closes it (no waiting). */
  double probeAfterRounds() {
    try {
      List<Double> times = coreTimes();
      roundProbes.add(times);
      return spread(times);
    } catch (Exception e) {
      return 1;
    }
  }

  /**
   * For a row's note: how many of its runs had unequal cores at the probe before or after their
   * round, or nothing when none did. {@code roundOfRun} holds each run's round index into {@code
   * spreads}, which ends with the probe after the last round.
   */
  static String unequalCoresNote(List<Integer> roundOfRun, List<Double> spreads) {
    int unequal = 0;
    double worst = 1;
    for (int r : roundOfRun) {
      double spread = Math.max(spreads.get(r), spreads.get(r + 1));
      if (spread > SLOW_CORE) {
        unequal++;
        worst = Math.max(worst, spread);
      }
    }
    return unequal == 0
        ? ""
        : String.format(
            Locale.ROOT,
            "; a core slow around %d of %d runs (up to %.2fx)",
            unequal,
            roundOfRun.size(),
            worst);
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
    // What the naive baseline stands for from nsjunit's side: a user's IDE runs one isolated test
    // in a JVM of its own. The warm-up runs leave the class-data archive (the first one waits for
    // its dump at exit), as a developer's earlier runs would.
    measure(
        s,
        "one @FreshPid test in a fresh JVM (an IDE's run, archive from an earlier run): java -cp"
            + " <same classpath> JUnitOnce FreshPidTrivial#empty",
        () ->
            spawn(
                n(12, 3),
                2,
                List.of(
                    java17.toString(),
                    "-cp",
                    classpath,
                    JUnitOnce.class.getName(),
                    FIXTURE + "FreshPidTrivial#empty")));
  }

  // ---------------------------------------------------------------- 2 and 4. one test in this JVM

  /** One way to run the trivial test: its row, its configuration, its selector. */
  record Scenario(
      String section, String label, Map<String, String> params, DiscoverySelector selector) {}

  Path jsa;
  Path aot;

  /** The checkpoint/restore research rows' extra figures, when CRIU could be measured. */
  CheckpointRestore.Result criu;

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
            "@FreshPid, defaults (C1+C2, built-in class-data sharing)",
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
            "@FreshPid, nsjunit.fastStart=true (C1 only)",
            Map.of("nsjunit.fastStart", "true"),
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
              "@FreshPid, child on JDK 25 (nsjunit.java; nsjunit's own AOT cache)",
              Map.of("nsjunit.java", java25.toString()),
              method("FreshPidTrivial", "empty")));
    }
    if (aot != null) {
      all.add(
          new Scenario(
              l,
              "@FreshPid, child on JDK 25 + AOT cache by hand: nsjunit.cds=false, jvmArgs="
                  + C1_SERIAL
                  + " -XX:AOTCache=<aot>",
              aotParams(C1_SERIAL + " -XX:AOTCache=" + aot),
              method("FreshPidTrivial", "empty")));
    }
    interleaved(all, 2, n(15, 5));
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
          "bare JVM 25: java "
              + CHILD_OPTS_DOC
              + " -XX:AOTCache=<the child's aot> -cp <same classpath> Hello",
          () ->
              spawn(
                  n(20, 5),
                  3,
                  concat(
                      List.of(java25.toString()),
                      CHILD_OPTS,
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

  /** Medians of the parts of an isolated test (see FreshPidTimed), in ms, with defaults. */
  record Breakdown(
      int n,
      double beforeJvm,
      double waitReady,
      double handOver,
      double readyToBody,
      double bodyToResult,
      double total) {}

  Breakdown breakdown;

  static final String OWN_BEFORE =
      "(a1) executionStarted → the child JVM exists (0: it was waiting)";
  static final String OWN_WAIT =
      "the child JVM's own boot (and warm-up) on the test's clock, until it is ready (hello)";
  static final String OWN_HAND =
      "(a2) child ready and test started → the child has its run request";
  static final String OWN_A = "(a) = (a1) + (a2): nsjunit's part before the child runs the test";
  static final String OWN_CHILD = "the child: run request received → test body starts";
  static final String OWN_B = "(b) test body ends → executionFinished";
  static final String OWN_AB = "(a) + (b): nsjunit's own time per test";
  static final String OWN_TOTAL = "executionStarted → executionFinished (one test)";
  static final String OWN_OFF = ", nsjunit.prestart=0";

  /**
   * Splits an isolated test's time at the moments both sides see, all on CLOCK_MONOTONIC ({@code
   * System.nanoTime()} in this JVM and in the child): this JVM's executionStarted and
   * executionFinished of the test, and the child's readings (FreshPidTimed). Ten tests per run,
   * with defaults and with {@code nsjunit.prestart=0}; the first test of each run is left out (its
   * sandbox cannot have been started ahead: it is the first of the run).
   *
   * <p>nsjunit's own time is what the test waits for that is neither the child JVM's work nor the
   * test's: (a1) the parent's setup, launcher and sandbox until the child JVM exists (nothing for a
   * sandbox that was started ahead), (a2) from the moment the test asked and its child was ready
   * (said hello) until the child has the run request, and (b) from the body's end to the reported
   * result (JUnit's end of the test in the child, the result frame, the child's exit, teardown,
   * reporting). The child JVM's boot and warm-up before its hello are its own work, shown
   * separately: for a sandbox started ahead that is not ready yet, the test waits for them.
   */
  void timedBreakdown() {
    String s = "own";
    int runs = n(5, 1);
    for (boolean prestart : new boolean[] {true, false}) {
      String suffix = prestart ? "" : OWN_OFF;
      String note =
          "medians over tests 2 to 10 of "
              + runs
              + " run(s) of FreshPidTimed, "
              + (prestart ? "defaults" : "nsjunit.prestart=0");
      List<Double> beforeJvm = new ArrayList<>();
      List<Double> waitReady = new ArrayList<>();
      List<Double> hand = new ArrayList<>();
      List<Double> a = new ArrayList<>();
      List<Double> child = new ArrayList<>();
      List<Double> readyToBody = new ArrayList<>();
      List<Double> b = new ArrayList<>();
      List<Double> ab = new ArrayList<>();
      List<Double> total = new ArrayList<>();
      try {
        for (int i = 0; i < runs + 1; i++) {
          Timed t = timedRun(prestart);
          if (i == 0) {
            continue; // warm-up
          }
          List<String> ids = new ArrayList<>(t.started().keySet());
          ids.sort((x, y) -> Long.compare(t.started().get(x), t.started().get(y)));
          for (String id : ids.subList(1, ids.size())) {
            Map<String, String> e = t.entries().get(id);
            long st = t.started().get(id);
            long fin = t.finished().get(id);
            long bodyStart = Long.parseLong(e.get("bodyStartNanos"));
            long bodyEnd = t.bodyEnds().get(id);
            long jvmStart = Long.parseLong(e.get("jvmStartNanos"));
            long hello = Long.parseLong(e.get("helloSentNanos"));
            long received = Long.parseLong(e.get("runReceivedNanos"));
            if (bodyStart < st || fin < bodyEnd) {
              throw new IllegalStateException(
                  "clocks disagree: the body of "
                      + id
                      + " ran outside executionStarted..executionFinished (is the child in a time"
                      + " namespace?)");
            }
            double a1 = Math.max(0, jvmStart - st) / 1e6;
            double a2 = (received - Math.max(st, hello)) / 1e6;
            double bb = (fin - bodyEnd) / 1e6;
            beforeJvm.add(a1);
            waitReady.add(Math.max(0, hello - Math.max(st, jvmStart)) / 1e6);
            hand.add(a2);
            a.add(a1 + a2);
            child.add((bodyStart - received) / 1e6);
            readyToBody.add((bodyStart - Math.max(st, hello)) / 1e6);
            b.add(bb);
            ab.add(a1 + a2 + bb);
            total.add((fin - st) / 1e6);
          }
        }
        ownRow(
            s,
            OWN_BEFORE + suffix,
            beforeJvm,
            note + "; JVM start from its uptime (ms resolution)");
        ownRow(s, OWN_WAIT + suffix, waitReady, note + "; the child's work, not nsjunit's");
        ownRow(s, OWN_HAND + suffix, hand, note);
        ownRow(s, OWN_A + suffix, a, note);
        ownRow(s, OWN_CHILD + suffix, child, note + "; JUnit in the child, the child's work");
        ownRow(s, OWN_B + suffix, b, note);
        ownRow(s, OWN_AB + suffix, ab, "per test, then the median");
        ownRow(s, OWN_TOTAL + suffix, total, note);
        if (prestart) {
          breakdown =
              new Breakdown(
                  total.size(),
                  median(beforeJvm),
                  median(waitReady),
                  median(hand),
                  median(readyToBody),
                  median(b),
                  median(total));
          progress("breakdown: " + breakdown);
        }
      } catch (Exception | AssertionError e) {
        String why = "failed: " + oneLine(e);
        for (String label :
            List.of(OWN_BEFORE, OWN_WAIT, OWN_HAND, OWN_A, OWN_CHILD, OWN_B, OWN_AB, OWN_TOTAL)) {
          skip(s, label + suffix, why);
        }
        notes.add("the time breakdown of an isolated test failed: " + oneLine(e));
      }
    }
  }

  /** One run of FreshPidTimed: each test's start, finish, report entry and body end. */
  record Timed(
      Map<String, Long> started,
      Map<String, Long> finished,
      Map<String, Map<String, String>> entries,
      Map<String, Long> bodyEnds) {}

  Timed timedRun(boolean prestart) throws IOException {
    Map<String, Long> started = new java.util.concurrent.ConcurrentHashMap<>();
    Map<String, Long> finished = new java.util.concurrent.ConcurrentHashMap<>();
    Map<String, Map<String, String>> entries = new java.util.concurrent.ConcurrentHashMap<>();
    org.junit.platform.launcher.TestExecutionListener l =
        new org.junit.platform.launcher.TestExecutionListener() {
          @Override
          public void executionStarted(org.junit.platform.launcher.TestIdentifier id) {
            if (id.isTest()) {
              started.put(id.getUniqueId(), System.nanoTime());
            }
          }

          @Override
          public void executionFinished(
              org.junit.platform.launcher.TestIdentifier id,
              org.junit.platform.engine.TestExecutionResult result) {
            if (id.isTest()) {
              finished.put(id.getUniqueId(), System.nanoTime());
            }
          }

          @Override
          public void reportingEntryPublished(
              org.junit.platform.launcher.TestIdentifier id,
              org.junit.platform.engine.reporting.ReportEntry e) {
            entries
                .computeIfAbsent(
                    id.getUniqueId(), k -> new java.util.concurrent.ConcurrentHashMap<>())
                .putAll(e.getKeyValuePairs());
          }
        };
    SummaryGeneratingListener summary = new SummaryGeneratingListener();
    LauncherDiscoveryRequestBuilder request =
        LauncherDiscoveryRequestBuilder.request().selectors(selectClass(FIXTURE + "FreshPidTimed"));
    if (!prestart) {
      request.configurationParameter("nsjunit.prestart", "0");
    }
    // The children's stdout comes out of this JVM's System.out (nsjunit forwards it as it comes).
    java.io.PrintStream stdout = System.out;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setOut(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      launcher.execute(request.build(), l, summary);
    } finally {
      System.setOut(stdout);
    }
    Map<String, Long> bodyEnds = new LinkedHashMap<>();
    for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length == 3 && f[0].equals(dev.nsjunit.bench.fixture.FreshPidTimed.BODY_END)) {
        for (String id : started.keySet()) {
          if (id.contains("[method:" + f[1] + "(")) {
            bodyEnds.put(id, Long.parseLong(f[2]));
          }
        }
      }
    }
    long passed = summary.getSummary().getTestsSucceededCount();
    if (passed != 10 || entries.size() != 10 || finished.size() != 10 || bodyEnds.size() != 10) {
      StringWriter w = new StringWriter();
      summary.getSummary().printFailuresTo(new PrintWriter(w), 5);
      throw new IllegalStateException(
          "FreshPidTimed: "
              + passed
              + " of 10 passed, entries of "
              + entries.size()
              + " tests, body ends of "
              + bodyEnds.size()
              + ": "
              + w.toString().lines().limit(6).collect(Collectors.joining(" | ")));
    }
    for (Map<String, String> e : entries.values()) {
      if (!e.containsKey("helloSentNanos") || !e.containsKey("runReceivedNanos")) {
        throw new IllegalStateException(
            "FreshPidTimed: the child did not set nsjunit.helloSentNanos and"
                + " nsjunit.runReceivedNanos (built from an older extension?)");
      }
    }
    return new Timed(started, finished, entries, bodyEnds);
  }

  void ownRow(String section, String label, List<Double> ms, String note) {
    Stats st = Stats.ofMillis(ms.stream().mapToDouble(d -> d).toArray());
    rows.put(section + "|" + label, new Row(section, label, st, note));
    progress(label + ": " + st);
  }

  static double median(List<Double> values) {
    return Stats.ofMillis(values.stream().mapToDouble(d -> d).toArray()).median();
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
    // A hand-made cache of a C1-only child, beside the one nsjunit makes (nsjunit.cds=false here).
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
    criuCheck();
    // C1 only on a CPU-heavy test.
    measure(
        s,
        "CPU-heavy test in-process (warm JVM, C2)",
        () -> junit(1, n(3, 1), Map.of(), 1, method("CpuHeavy$InProcess", "compute")));
    measure(
        s,
        "CPU-heavy @FreshPid, defaults",
        () -> junit(0, n(3, 1), Map.of(), 1, method("CpuHeavy", "compute")));
    measure(
        s,
        "CPU-heavy @FreshPid, fastStart=true (C1 only)",
        () ->
            junit(
                0, n(3, 1), Map.of("nsjunit.fastStart", "true"), 1, method("CpuHeavy", "compute")));
    // The child's heap default against the JDK's own sizing, on a test whose heap grows large.
    // InitialRAMPercentage=1.5625 is the JDK's default; any heap option keeps nsjunit's out.
    if (classExists(FIXTURE + "HeapHeavy")) {
      // Interleaved, one of each per round, so that load that changes affects both alike.
      List<Long> defaults = new ArrayList<>();
      List<Long> jdk = new ArrayList<>();
      Map<String, String> jdkSizing = Map.of("nsjunit.jvmArgs", "-XX:InitialRAMPercentage=1.5625");
      try {
        for (int round = 0; round < n(8, 1); round++) {
          defaults.addAll(junit(0, 1, Map.of(), 1, method("HeapHeavy", "buildLargeHeap")));
          jdk.addAll(junit(0, 1, jdkSizing, 1, method("HeapHeavy", "buildLargeHeap")));
        }
        measure(s, HEAP_DEFAULT, () -> defaults);
        measure(s, HEAP_JDK, () -> jdk);
      } catch (Exception | AssertionError e) {
        skip(s, HEAP_DEFAULT, "failed: " + oneLine(e));
        skip(s, HEAP_JDK, "failed: " + oneLine(e));
      }
    }
  }

  static final String HEAP_DEFAULT = "heap-heavy @FreshPid (12M objects kept), defaults";
  static final String HEAP_JDK =
      "heap-heavy @FreshPid (12M objects kept), the JDK's heap sizing"
          + " (nsjunit.jvmArgs=-XX:InitialRAMPercentage=1.5625)";

  /** A hand-made AOT cache: nsjunit's own class-data sharing (nsjunit.cds) off, so it adds none. */
  Map<String, String> aotParams(String jvmArgs) {
    return Map.of(
        "nsjunit.java",
        java25.toString(),
        "nsjunit.fastStart",
        "false",
        "nsjunit.cds",
        "false",
        "nsjunit.jvmArgs",
        jvmArgs);
  }

  // ---------------------------------------------------------------- 3. 100 tests

  /** One suite variant: its row, its fixture class, its configuration, how many measured runs. */
  record SuiteScenario(String label, String fixture, Map<String, String> params, int runs) {}

  /** CPU per test of one suite variant, medians over its runs (ms). */
  record CpuPerTest(int n, double parentMs, double sandboxMs, double otherCores) {
    double totalMs() {
      return parentMs + sandboxMs;
    }
  }

  static final String PRESTART_OFF = "nsjunit.prestart=0 (today's)";
  static final String PRESTART_DEFAULT = "defaults (pre-started sandboxes)";

  static final String SUITE_25 =
      "100 @FreshPid tests on a JDK 25 child (nsjunit.java), sequential, ";

  /** CPU per test by suite row label; empty (and cpuFailure set) when it could not be measured. */
  final Map<String, CpuPerTest> suiteCpu = new LinkedHashMap<>();

  /** Why the CPU of a suite that ran is not in suiteCpu, by suite row label. */
  final Map<String, String> suiteCpuVoided = new LinkedHashMap<>();

  String cpuFailure;
  String cpuMethod;

  /**
   * The 100-test suites, each with the pre-started sandboxes off ({@code nsjunit.prestart=0}) and
   * with defaults, run interleaved (one of each per round, the order of each pair alternating), so
   * that load that changes during the run affects both alike. The harness JVM sits in a CPU
   * accounting cgroup of its own meanwhile, so the CPU of everything a run starts is measured too.
   */
  void suiteRows() {
    String s = "suite";
    int fresh = n(3, 1);
    int other = n(2, 1);
    Map<String, String> off = Map.of("nsjunit.prestart", "0");
    Map<String, String> par = parallel(2);
    Map<String, String> parOff = new LinkedHashMap<>(par);
    parOff.putAll(off);
    List<SuiteScenario> all = new ArrayList<>();
    String seq = "sequential, ";
    String parallel = "parallel (concurrent, fixed parallelism 2), ";
    all.add(
        new SuiteScenario("100 @FreshPid tests, " + seq + PRESTART_OFF, "Suite100", off, fresh));
    all.add(
        new SuiteScenario(
            "100 @FreshPid tests, " + seq + PRESTART_DEFAULT, "Suite100", Map.of(), fresh));
    all.add(
        new SuiteScenario(
            "100 @FreshPid tests, " + parallel + PRESTART_OFF, "Suite100", parOff, fresh));
    all.add(
        new SuiteScenario(
            "100 @FreshPid tests, " + parallel + PRESTART_DEFAULT, "Suite100", par, fresh));
    all.add(
        new SuiteScenario(
            "100 @IsolatedNetns tests, " + seq + PRESTART_OFF, "Suite100Netns", off, other));
    all.add(
        new SuiteScenario(
            "100 @IsolatedNetns tests, " + seq + PRESTART_DEFAULT,
            "Suite100Netns",
            Map.of(),
            other));
    String lab = "100 tests on a class-level @Topology (2 hosts, 1 link), " + seq;
    if (classExists(FIXTURE + "Suite100Lab")) {
      all.add(new SuiteScenario(lab + PRESTART_OFF, "Suite100Lab", off, other));
      all.add(new SuiteScenario(lab + PRESTART_DEFAULT, "Suite100Lab", Map.of(), other));
    }
    if (Files.isExecutable(java25)) {
      // A test JVM on JDK 25 gives its children JDK 25 and nsjunit's AOT cache: the same pair
      // there.
      Map<String, String> on25 = Map.of("nsjunit.java", java25.toString());
      Map<String, String> off25 = new LinkedHashMap<>(on25);
      off25.putAll(off);
      all.add(new SuiteScenario(SUITE_25 + PRESTART_OFF, "Suite100", off25, other));
      all.add(new SuiteScenario(SUITE_25 + PRESTART_DEFAULT, "Suite100", on25, other));
    } else {
      skip(s, SUITE_25 + PRESTART_OFF, "no JDK 25 at " + java25);
      skip(s, SUITE_25 + PRESTART_DEFAULT, "no JDK 25 at " + java25);
    }
    String cg = "100 @CgroupLimit(memory=\"256M\") tests, " + seq;
    if (classExists(FIXTURE + "Suite100Cgroup")) {
      all.add(new SuiteScenario(cg + PRESTART_OFF, "Suite100Cgroup", off, other));
      all.add(new SuiteScenario(cg + PRESTART_DEFAULT, "Suite100Cgroup", Map.of(), other));
    } else {
      String why = "not yet available: @CgroupLimit is not in the extension this was built from";
      skip(s, cg + PRESTART_OFF, why);
      skip(s, cg + PRESTART_DEFAULT, why);
    }
    CpuMeter meter = null;
    try {
      meter = CpuMeter.enter();
      cpuMethod = meter.describe();
    } catch (Exception e) {
      cpuFailure = "no CPU accounting cgroup: " + oneLine(e);
      progress("CPU per test: " + cpuFailure);
    }
    Map<SuiteScenario, List<Long>> wall = new LinkedHashMap<>();
    Map<SuiteScenario, List<Double>> parentMs = new LinkedHashMap<>();
    Map<SuiteScenario, List<Double>> sandboxMs = new LinkedHashMap<>();
    Map<SuiteScenario, List<Double>> otherCores = new LinkedHashMap<>();
    Map<SuiteScenario, String> failed = new LinkedHashMap<>();
    Map<SuiteScenario, String> cpuFailed = new LinkedHashMap<>();
    for (SuiteScenario sc : all) {
      wall.put(sc, new ArrayList<>());
      parentMs.put(sc, new ArrayList<>());
      sandboxMs.put(sc, new ArrayList<>());
      otherCores.put(sc, new ArrayList<>());
    }
    int rounds = all.stream().mapToInt(SuiteScenario::runs).max().orElse(0);
    List<Double> spreads = new ArrayList<>();
    Map<SuiteScenario, List<Integer>> roundOfRun = new LinkedHashMap<>();
    all.forEach(sc -> roundOfRun.put(sc, new ArrayList<>()));
    try {
      for (int round = 0; round < rounds; round++) {
        for (int pair = 0; pair < all.size(); pair += 2) {
          if (round >= all.get(pair).runs()) {
            continue;
          }
          spreads.add(probeBeforeRound());
          // Pairs are (off, default); every other round runs the default first.
          int[] order = round % 2 == 0 ? new int[] {pair, pair + 1} : new int[] {pair + 1, pair};
          for (int i : order) {
            SuiteScenario sc = all.get(i);
            if (round >= sc.runs() || failed.containsKey(sc)) {
              continue;
            }
            roundOfRun.get(sc).add(spreads.size() - 1);
            try {
              long cpu0 = meter == null ? 0 : meter.totalNanos();
              long own0 = CpuMeter.processNanos();
              long machine0 = CpuMeter.machineBusyNanos();
              long t = junit(0, 1, sc.params(), 100, selectClass(FIXTURE + sc.fixture())).get(0);
              long machine1 = CpuMeter.machineBusyNanos();
              long own1 = CpuMeter.processNanos();
              long cpu1 = meter == null ? 0 : meter.totalNanos();
              wall.get(sc).add(t);
              if (meter != null && sc.fixture().equals("Suite100Cgroup")) {
                // nsjunit places a @CgroupLimit sandbox in a cpuacct group of its own, created
                // below
                // the group it found this JVM in at its first use (before the measuring group).
                cpuFailed.put(
                    sc,
                    "@CgroupLimit moves each sandbox into a cgroup nsjunit creates (on v1 in every"
                        + " hierarchy, cpuacct too), outside the measuring group: its CPU is not"
                        + " counted");
              } else if (meter != null && own0 >= 0 && own1 >= 0) {
                double parent = (own1 - own0) / 1e6 / 100;
                double total = (cpu1 - cpu0) / 1e6 / 100;
                if (total < parent) {
                  // The group must hold at least this process: anything else is not a measurement.
                  cpuFailed.put(
                      sc,
                      String.format(
                          Locale.ROOT,
                          "the cgroup counted less CPU (%.1f ms/test) than this process used alone (%.1f)",
                          total,
                          parent));
                } else if (total - parent < 20) {
                  // A child JVM cannot boot on less: its processes were not counted in the group.
                  cpuFailed.put(
                      sc,
                      String.format(
                          Locale.ROOT,
                          "the sandboxes' CPU in the group came to %.1f ms/test, too little for a JVM"
                              + " start: their processes left the measuring group",
                          total - parent));
                } else {
                  parentMs.get(sc).add(parent);
                  sandboxMs.get(sc).add(total - parent);
                  // What the rest of the machine used meanwhile, in cores (ticks of 10 ms: rough).
                  otherCores
                      .get(sc)
                      .add(Math.max(0, (machine1 - machine0) - (cpu1 - cpu0)) / (double) t);
                }
              } else if (meter != null) {
                cpuFailed.put(sc, "this process's CPU time is not available");
              }
              progress(sc.label() + ": run " + (round + 1) + ": " + t / 1_000_000 + " ms");
            } catch (Exception | AssertionError e) {
              failed.put(sc, oneLine(e));
            }
          }
        }
      }
    } finally {
      if (meter != null) {
        String problem = meter.close();
        if (problem != null) {
          notes.add(problem);
        }
      }
    }
    spreads.add(probeAfterRounds());
    for (SuiteScenario sc : all) {
      if (failed.containsKey(sc)) {
        skip(s, sc.label(), "failed: " + failed.get(sc));
        continue;
      }
      Stats st = Stats.ofNanos(wall.get(sc));
      rows.put(
          s + "|" + sc.label(),
          new Row(
              s, sc.label(), st, "interleaved" + unequalCoresNote(roundOfRun.get(sc), spreads)));
      progress(sc.label() + ": " + st);
      if (meter != null && !cpuFailed.containsKey(sc) && !parentMs.get(sc).isEmpty()) {
        CpuPerTest c =
            new CpuPerTest(
                parentMs.get(sc).size(),
                Stats.ofMillis(parentMs.get(sc).stream().mapToDouble(d -> d).toArray()).median(),
                Stats.ofMillis(sandboxMs.get(sc).stream().mapToDouble(d -> d).toArray()).median(),
                Stats.ofMillis(otherCores.get(sc).stream().mapToDouble(d -> d).toArray()).median());
        suiteCpu.put(sc.label(), c);
        progress(sc.label() + ": CPU per test " + c);
      } else if (cpuFailed.containsKey(sc)) {
        suiteCpuVoided.put(sc.label(), cpuFailed.get(sc));
        progress(sc.label() + ": CPU per test voided: " + cpuFailed.get(sc));
      }
    }
  }

  /** Lock waits of this JVM's threads during one parallel suite run, by setting (PRESTART_*). */
  final Map<String, ParentLocks.Waits> parentLocks = new LinkedHashMap<>();

  String parentLocksFailure;

  /**
   * One more run of the parallel @FreshPid suite per setting, under a JFR recording of lock waits
   * ({@link ParentLocks}): whether the parent's own locks hold its threads back. Not a timed row
   * (the recording costs time); after the timed rounds so that it changes none of them.
   */
  void parentLockRows() {
    Map<String, String> par = parallel(2);
    Map<String, String> parOff = new LinkedHashMap<>(par);
    parOff.put("nsjunit.prestart", "0");
    try {
      for (Map.Entry<String, Map<String, String>> setting :
          List.of(Map.entry(PRESTART_DEFAULT, par), Map.entry(PRESTART_OFF, parOff))) {
        ParentLocks.Waits waits =
            ParentLocks.during(
                work,
                100,
                () -> junit(0, 1, setting.getValue(), 100, selectClass(FIXTURE + "Suite100")));
        parentLocks.put(setting.getKey(), waits);
        progress(
            String.format(
                Locale.ROOT,
                "parallel suite, %s: lock waits %.2f ms per test (%d events) %s; top %s",
                setting.getKey(),
                waits.totalMs(),
                waits.events(),
                waits.byOwner(),
                waits.top(3)));
      }
    } catch (Exception | AssertionError e) {
      parentLocksFailure = oneLine(e);
      progress("parent lock waits not measured: " + parentLocksFailure);
    }
  }

  static final String FRESH_SEQ =
      "100 @FreshPid tests, each run in a fresh test JVM (as a build's fork or an IDE runs them),"
          + " sequential, ";

  /** The fresh test JVM's own CPU per test (ms, median over runs), by setting. */
  final Map<String, Double> freshJvmCpu = new LinkedHashMap<>();

  /**
   * The @FreshPid suite as users run it: each run in a test JVM of its own ({@link SuiteOnce}),
   * which boots, warms up and exits while the sandboxes run, instead of in this warm harness JVM.
   * Interleaved, prestart=0 and defaults alternating first; each row's time is the suite's {@code
   * Launcher.execute} in that JVM, as in the rows above.
   */
  void freshSuiteRows() {
    String s = "suite";
    int runs = n(3, 1);
    List<String> labels = List.of(FRESH_SEQ + PRESTART_OFF, FRESH_SEQ + PRESTART_DEFAULT);
    List<List<String>> params = List.of(List.of("nsjunit.prestart=0"), List.of());
    Map<String, List<Long>> execute = new LinkedHashMap<>();
    Map<String, List<Long>> process = new LinkedHashMap<>();
    Map<String, List<Double>> cpu = new LinkedHashMap<>();
    Map<String, List<Integer>> roundOfRun = new LinkedHashMap<>();
    List<Double> spreads = new ArrayList<>();
    labels.forEach(
        l -> {
          execute.put(l, new ArrayList<>());
          process.put(l, new ArrayList<>());
          cpu.put(l, new ArrayList<>());
          roundOfRun.put(l, new ArrayList<>());
        });
    try {
      for (int round = 0; round < runs; round++) {
        spreads.add(probeBeforeRound());
        int[] order = round % 2 == 0 ? new int[] {0, 1} : new int[] {1, 0};
        for (int i : order) {
          roundOfRun.get(labels.get(i)).add(round);
          List<String> argv =
              concat(
                  List.of(java17.toString(), "-cp", classpath, SuiteOnce.class.getName()),
                  List.of(FIXTURE + "Suite100"),
                  params.get(i));
          LineOut out = runForLine("SuiteOnce", argv, "suite ", 600);
          String[] f = out.fields();
          long wall = out.wallNanos();
          execute.get(labels.get(i)).add(Long.parseLong(f[1]));
          process.get(labels.get(i)).add(wall);
          cpu.get(labels.get(i)).add(Long.parseLong(f[4]) / 1e6 / 100);
          progress(
              labels.get(i)
                  + ": run "
                  + (round + 1)
                  + ": "
                  + Long.parseLong(f[1]) / 1_000_000
                  + " ms");
        }
      }
    } catch (Exception | AssertionError e) {
      labels.forEach(l -> skip(s, l, "failed: " + oneLine(e)));
      return;
    }
    spreads.add(probeAfterRounds());
    for (String l : labels) {
      Stats st = Stats.ofNanos(execute.get(l));
      double cpuMedian = Stats.ofMillis(cpu.get(l).stream().mapToDouble(d -> d).toArray()).median();
      freshJvmCpu.put(l, cpuMedian);
      rows.put(
          s + "|" + l,
          new Row(
              s,
              l,
              st,
              String.format(
                  Locale.ROOT,
                  "interleaved; the test JVM from start to exit %.2f s, its own CPU %.1f ms per"
                      + " test%s",
                  Stats.ofNanos(process.get(l)).median() / 1e3,
                  cpuMedian,
                  unequalCoresNote(roundOfRun.get(l), spreads))));
      progress(l + ": " + st);
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

  // ---------------------------------------------------------------- 3. CPU of one child JVM

  /** CPU of one JVM that lives one test, by kind of thread, medians over n runs (ms). */
  record ThreadCpu(
      String label, int n, double javaMs, double jitMs, double otherMs, double wallMs) {
    double totalMs() {
      return javaMs + jitMs + otherMs;
    }
  }

  static final String CHILD_CPU_17 =
      "JDK 17, the child's options, JUnit's and nsjunit's jars with lambdas as classes and a"
          + " class-data archive (defaults)";
  static final String CHILD_CPU_17_AS_BUILT =
      "JDK 17, the same with the jars as built (nsjunit.cds.lambdaClasses=false)";
  static final String CHILD_CPU_17_C1 =
      "JDK 17, the same with C1 only (-XX:TieredStopAtLevel=1, as nsjunit.fastStart=true)";
  static final String CHILD_CPU_17_INT = "JDK 17, the same with no JIT at all (-Xint)";
  static final String CHILD_CPU_17_TWO =
      "JDK 17, defaults, two such JVMs started together (each one a sample)";
  static final String CHILD_CPU_25 = "JDK 25, the child's options and an AOT cache (defaults)";
  static final String CHILD_CPU_25_OTHER =
      "JDK 25, the same with an AOT cache trained on another test (FreshPidTrivial#empty)";

  final List<ThreadCpu> childCpu = new ArrayList<>();
  String childCpuFailure;

  /**
   * What booting a child and running one test costs in CPU, whatever nsjunit does around it: a
   * sequential suite whose sandboxes start ahead keeps every core busy, so CPU per test bounds its
   * time per test. {@link ChildCpu} in fresh JVMs with the options and class-data sharing nsjunit
   * gives a child (an archive dumped by the same program), interleaved, one of each per round.
   */
  /**
   * A JDK 25 AOT cache at {@code cache}, trained by one run of {@code tail} with the child's
   * options.
   */
  private Path trainAotCache(Path cache, List<String> tail) throws Exception {
    Files.deleteIfExists(cache);
    runChildCpu(
        concat(
            List.of(java25.toString()), CHILD_OPTS, List.of("-XX:AOTCacheOutput=" + cache), tail));
    waitForFile(cache, 60_000);
    return cache;
  }

  /**
   * A JDK 17 archive at {@code jsa} dumped by one run of {@code tail} with the child's options, and
   * checked with {@code -Xshare:on} (an unusable archive is then an error, not a silent fallback);
   * the option that maps it.
   */
  private List<String> archive17(Path jsa, List<String> tail) throws Exception {
    Files.deleteIfExists(jsa);
    runChildCpu(
        concat(
            List.of(java17.toString()),
            CHILD_OPTS,
            List.of("-XX:ArchiveClassesAtExit=" + jsa, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"),
            tail));
    runChildCpu(
        concat(
            List.of(java17.toString()),
            CHILD_OPTS,
            List.of("-XX:SharedArchiveFile=" + jsa, "-Xshare:on"),
            tail));
    return List.of("-XX:SharedArchiveFile=" + jsa);
  }

  /**
   * This JVM's classpath with JUnit's, opentest4j's and nsjunit's jars replaced by copies whose
   * lambdas are classes, written into {@code dir} by nsjunit's own rewriter, as a JDK 17 child gets
   * them.
   */
  private String lambdaClassesClasspath(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<String> entries = new ArrayList<>();
    for (String entry : classpath.split(":")) {
      Path jar = Path.of(entry);
      String name = jar.getFileName().toString();
      boolean library =
          name.endsWith(".jar")
              && (name.startsWith("junit-platform-")
                  || name.startsWith("junit-jupiter-")
                  || name.startsWith("opentest4j-")
                  || name.startsWith("nsjunit-0"));
      if (!library) {
        entries.add(entry);
        continue;
      }
      Path copy = dir.resolve(name);
      dev.nsjunit.internal.jvm.LambdaClasses.rewriteJar(jar, copy);
      entries.add(copy.toString());
    }
    return String.join(":", entries);
  }

  void childCpuRows() {
    // A test of the @FreshPid suite, run in place as in a child (nsjunit.sandboxed): the same
    // class to discover (100 methods) and the same extension on its path as the suite's children.
    String method = FIXTURE + "Suite100#t050";
    List<String> relocation =
        List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0");
    List<String> c1Options = new ArrayList<>(CHILD_OPTS);
    c1Options.replaceAll(
        o -> o.startsWith("-XX:CompileThresholdScaling") ? "-XX:TieredStopAtLevel=1" : o);
    Map<String, List<String>> variants = new LinkedHashMap<>();
    try {
      Path dir = Files.createDirectories(work.resolve("cds"));
      List<String> tail =
          List.of("-Dnsjunit.sandboxed=true", "-cp", classpath, ChildCpu.class.getName(), method);
      // As nsjunit gives a JDK 17 child its jars: JUnit's, opentest4j's and nsjunit's rewritten.
      List<String> rewrittenTail = new ArrayList<>(tail);
      rewrittenTail.set(2, lambdaClassesClasspath(dir.resolve("lambdas")));
      List<String> archive17 = archive17(dir.resolve("child-cpu-jdk17.jsa"), rewrittenTail);
      List<String> asBuilt17 = archive17(dir.resolve("child-cpu-jdk17-as-built.jsa"), tail);
      variants.put(
          CHILD_CPU_17,
          concat(List.of(java17.toString()), CHILD_OPTS, relocation, archive17, rewrittenTail));
      variants.put(
          CHILD_CPU_17_AS_BUILT,
          concat(List.of(java17.toString()), CHILD_OPTS, relocation, asBuilt17, tail));
      // Two at once, as a suite whose sandboxes start ahead or a parallel one has them: whether
      // a child needs more CPU when another runs beside it (shared caches, a slower core).
      variants.put(CHILD_CPU_17_TWO, variants.get(CHILD_CPU_17));
      variants.put(
          CHILD_CPU_17_C1,
          concat(List.of(java17.toString()), c1Options, relocation, archive17, rewrittenTail));
      variants.put(
          CHILD_CPU_17_INT,
          concat(
              List.of(java17.toString()),
              CHILD_OPTS,
              List.of("-Xint"),
              relocation,
              archive17,
              rewrittenTail));
      if (Files.isExecutable(java25)) {
        Path aot25 = trainAotCache(dir.resolve("child-cpu-jdk25.aot"), tail);
        runChildCpu(
            concat(
                List.of(java25.toString()),
                CHILD_OPTS,
                List.of("-XX:AOTCache=" + aot25, "-XX:AOTMode=on"),
                tail));
        variants.put(
            CHILD_CPU_25,
            concat(
                List.of(java25.toString()),
                CHILD_OPTS,
                relocation,
                List.of("-XX:AOTCache=" + aot25),
                tail));
        // nsjunit's own cache is made before the tests are known (by a probe test), as any cache
        // a build makes ahead of its tests: trained on another test, it lacks the paths that only
        // this one takes (its class's discovery, call sites linked at run time).
        Path other25 =
            trainAotCache(
                dir.resolve("child-cpu-jdk25-other.aot"),
                List.of(
                    "-Dnsjunit.sandboxed=true",
                    "-cp",
                    classpath,
                    ChildCpu.class.getName(),
                    FIXTURE + "FreshPidTrivial#empty"));
        variants.put(
            CHILD_CPU_25_OTHER,
            concat(
                List.of(java25.toString()),
                CHILD_OPTS,
                relocation,
                List.of("-XX:AOTCache=" + other25),
                tail));
      }
    } catch (Exception | AssertionError e) {
      childCpuFailure = "the archives could not be made: " + oneLine(e);
      progress("CPU of one child JVM: " + childCpuFailure);
      return;
    }
    Map<String, List<double[]>> samples = new LinkedHashMap<>();
    variants.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
    int warmup = 2;
    int runs = n(12, 3);
    long stealBefore = stealTicks();
    try {
      for (int round = 0; round < warmup + runs; round++) {
        if (round >= warmup) {
          childCpuProbes.add(coreTimes());
        }
        for (Map.Entry<String, List<String>> v : variants.entrySet()) {
          List<double[]> got =
              v.getKey().equals(CHILD_CPU_17_TWO)
                  ? runTwoChildCpu(v.getValue())
                  : List.of(runChildCpu(v.getValue()));
          if (round >= warmup) {
            samples.get(v.getKey()).addAll(got);
          }
        }
      }
      childCpuProbes.add(coreTimes());
      childCpuStealTicks = stealTicks() - stealBefore;
      twoOnEqualCores(samples.get(CHILD_CPU_17), samples.get(CHILD_CPU_17_TWO));
    } catch (Exception | AssertionError e) {
      childCpuFailure = "a run failed: " + oneLine(e);
      progress("CPU of one child JVM: " + childCpuFailure);
      return;
    }
    samples.forEach(
        (label, list) -> {
          ThreadCpu t =
              new ThreadCpu(
                  label,
                  list.size(),
                  medianOf(list, 0),
                  medianOf(list, 1),
                  medianOf(list, 2),
                  medianOf(list, 3));
          childCpu.add(t);
          progress("CPU of one child JVM, " + t);
        });
  }

  /** The core probes before each measured round of the child CPU rows, and one after the last. */
  final List<List<Double>> childCpuProbes = new ArrayList<>();

  /**
   * The steal time the kernel reported meanwhile (/proc/stat, all CPUs, in ticks), or -1 if
   * unreadable: on a VM that reports none, a core the host slows down looks busy, not slow.
   */
  long childCpuStealTicks = -1;

  static long stealTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      return f.length > 8 ? Long.parseLong(f[8]) : -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * Medians of total CPU of one child alone and of each of two together, over only the rounds whose
   * core probes before and after found no slow core (a slow core inflates the CPU of what runs on
   * it, and two at once always have a JVM on each core); null when no round qualifies.
   */
  double[] twoOnEqualCoresMs;

  /** Rounds that {@link #twoOnEqualCoresMs} is made of. */
  int twoOnEqualCoresRounds;

  private void twoOnEqualCores(List<double[]> alone, List<double[]> two) {
    List<Double> a = new ArrayList<>();
    List<Double> t = new ArrayList<>();
    for (int round = 0; round < alone.size() && round + 1 < childCpuProbes.size(); round++) {
      if (spread(childCpuProbes.get(round)) > SLOW_CORE
          || spread(childCpuProbes.get(round + 1)) > SLOW_CORE) {
        continue;
      }
      a.add(total(alone.get(round)));
      t.add(total(two.get(2 * round)));
      t.add(total(two.get(2 * round + 1)));
    }
    if (!a.isEmpty()) {
      twoOnEqualCoresRounds = a.size();
      twoOnEqualCoresMs =
          new double[] {
            Stats.ofMillis(a.stream().mapToDouble(d -> d).toArray()).median(),
            Stats.ofMillis(t.stream().mapToDouble(d -> d).toArray()).median()
          };
    }
  }

  /** A {@link #runChildCpu} sample's CPU over all threads, ms. */
  private static double total(double[] sample) {
    return sample[0] + sample[1] + sample[2];
  }

  /** Two {@link ChildCpu} runs of {@code argv} started together; each one's sample. */
  List<double[]> runTwoChildCpu(List<String> argv) throws Exception {
    CompletableFuture<double[]> other =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return runChildCpu(argv);
              } catch (Exception e) {
                throw new CompletionException(e);
              }
            });
    double[] mine = runChildCpu(argv);
    try {
      return List.of(mine, other.join());
    } catch (CompletionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  static double medianOf(List<double[]> samples, int column) {
    return Stats.ofMillis(samples.stream().mapToDouble(a -> a[column]).toArray()).median();
  }

  /** One {@link ChildCpu} run: java, JIT, other threads' CPU and the wall time, in ms. */
  double[] runChildCpu(List<String> argv) throws Exception {
    LineOut out = runForLine("ChildCpu", argv, "cpu ", 120);
    String[] f = out.fields();
    return new double[] {
      Long.parseLong(f[1]) / 1e6,
      Long.parseLong(f[2]) / 1e6,
      Long.parseLong(f[3]) / 1e6,
      out.wallNanos() / 1e6
    };
  }

  /** The line a program printed, split at spaces, and its wall time from start to exit. */
  record LineOut(String[] fields, long wallNanos) {}

  /**
   * Runs {@code argv} in the repository, to its exit (at most {@code timeoutSeconds}), and returns
   * its first stdout line that starts with {@code prefix}; fails with its output's tail unless it
   * exited 0 and printed one.
   */
  LineOut runForLine(String what, List<String> argv, String prefix, int timeoutSeconds)
      throws Exception {
    Path err = Files.createTempFile(work, "run", ".err");
    try {
      long t0 = System.nanoTime();
      Process p =
          new ProcessBuilder(argv).directory(repo.toFile()).redirectError(err.toFile()).start();
      String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(what + " did not end within " + timeoutSeconds + " s");
      }
      long wall = System.nanoTime() - t0;
      String line = stdout.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse(null);
      if (p.exitValue() != 0 || line == null) {
        throw new IllegalStateException(
            what
                + " exit "
                + p.exitValue()
                + ", output "
                + tail(stdout, 200)
                + ", stderr "
                + tail(Files.readString(err), 400));
      }
      return new LineOut(line.split(" "), wall);
    } finally {
      Files.deleteIfExists(err);
    }
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

  /** RSS of pre-started sandboxes that wait while another test of their class runs. */
  /**
   * What the waiting sandboxes hold: per waiting child JVM its RSS, PSS (shared pages split among
   * the processes mapping them: libjvm.so, the JDK's and nsjunit's class-data archives are mapped
   * by every child JVM) and private memory (USS: what ending it would free), and its launcher's and
   * init's (summed).
   */
  record Waiting(
      int childJvms,
      List<Long> waitingRssKiB,
      List<Long> waitingPssKiB,
      List<Long> waitingUssKiB,
      List<Long> helperRssKiB,
      List<Long> helperPssKiB,
      Long runningRssKiB) {}

  Waiting waiting;
  String waitingFailure;

  /**
   * PrestartMemory, defaults: while its first test holds its sandbox, the sandboxes of the next
   * tests (pre-started by default) wait; after 2 s this JVM reads the VmRSS of every child JVM
   * below it, tells the running one by the marker file it holds open, and counts the others as
   * waiting.
   */
  void prestartMemoryRows() {
    try {
      Path dir = work.resolve("prestart");
      deleteTree(dir);
      Files.createDirectories(dir);
      System.setProperty("bench.prestart.dir", dir.toString());
      Throwable[] failure = new Throwable[1];
      Thread runner =
          new Thread(
              () -> {
                try {
                  junit(0, 1, Map.of(), 4, selectClass(FIXTURE + "PrestartMemory"));
                } catch (Throwable t) {
                  failure[0] = t;
                }
              },
              "prestart-run");
      runner.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(dir.resolve("started"))
          && System.nanoTime() < deadline
          && runner.isAlive()) {
        sleep(20);
      }
      if (!Files.exists(dir.resolve("started"))) {
        Files.writeString(dir.resolve("release"), "");
        runner.join(60_000);
        throw new IllegalStateException(
            "the first test did not start"
                + (failure[0] != null ? ": " + oneLine(failure[0]) : ""));
      }
      sleep(2000);
      List<Long> waitingRss = new ArrayList<>();
      List<Long> waitingPss = new ArrayList<>();
      List<Long> waitingUss = new ArrayList<>();
      List<Long> helpers = new ArrayList<>();
      List<Long> helpersPss = new ArrayList<>();
      Long running = null;
      List<Path> jvms = descendantChildJvms();
      for (Path proc : jvms) {
        try {
          long rss = procStatusKiB(proc.resolve("status"), "VmRSS");
          if (holds(proc, dir.resolve("running-marker"))) {
            running = rss;
          } else {
            waitingRss.add(rss);
            waitingPss.add(procStatusKiB(proc.resolve("smaps_rollup"), "Pss"));
            waitingUss.add(
                procStatusKiB(proc.resolve("smaps_rollup"), "Private_Clean")
                    + procStatusKiB(proc.resolve("smaps_rollup"), "Private_Dirty"));
            helpers.add(helperKiB(proc, "status", "VmRSS"));
            helpersPss.add(helperKiB(proc, "smaps_rollup", "Pss"));
          }
        } catch (IOException gone) {
          // ended meanwhile
        }
      }
      Files.writeString(dir.resolve("release"), "");
      runner.join(60_000);
      if (failure[0] != null) {
        throw new IllegalStateException(oneLine(failure[0]));
      }
      if (running == null) {
        throw new IllegalStateException(
            "of "
                + jvms.size()
                + " child JVMs below this one, none holds the running test's marker file: cannot"
                + " tell the running sandbox from waiting ones");
      }
      waiting =
          new Waiting(
              jvms.size(), waitingRss, waitingPss, waitingUss, helpers, helpersPss, running);
      progress("waiting sandboxes: " + waiting);
    } catch (Exception e) {
      waitingFailure = oneLine(e);
      progress("waiting sandboxes: failed: " + waitingFailure);
    }
  }

  /** Whether the process has the file open (per /proc/PID/fd). */
  static boolean holds(Path proc, Path file) throws IOException {
    String name = file.getFileName().toString();
    try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
      for (Path fd : fds.collect(Collectors.toList())) {
        try {
          if (Files.readSymbolicLink(fd).toString().endsWith("/" + name)) {
            return true;
          }
        } catch (IOException gone) {
          // closed meanwhile
        }
      }
    }
    return false;
  }

  /**
   * A figure (VmRSS from status, Pss from smaps_rollup) of the processes between this JVM and the
   * child JVM (launcher, sandbox init), summed.
   */
  long helperKiB(Path jvm, String file, String key) throws IOException {
    long self = ProcessHandle.current().pid();
    long sum = 0;
    long pid = ppid(jvm);
    for (int depth = 0; depth < 10 && pid > 1 && pid != self; depth++) {
      Path p = Path.of("/proc", Long.toString(pid));
      sum += procStatusKiB(p.resolve(file), key);
      pid = ppid(p);
    }
    return sum;
  }

  static long ppid(Path proc) throws IOException {
    String stat = Files.readString(proc.resolve("stat"));
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so parse after the last ')'.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[1]);
  }

  /** /proc/PID of every JVM running ChildMain that descends from this JVM (by parent pids). */
  static List<Path> descendantChildJvms() throws IOException {
    long self = ProcessHandle.current().pid();
    List<Path> result = new ArrayList<>();
    try (Stream<Path> s = Files.list(Path.of("/proc"))) {
      for (Path p :
          s.filter(p -> p.getFileName().toString().matches("\\d+")).collect(Collectors.toList())) {
        try {
          String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
          String argv0 = cmd.split("\0", 2)[0];
          if (!cmd.contains("dev.nsjunit.internal.child.ChildMain") || !argv0.endsWith("/java")) {
            continue;
          }
          // Its channel socket in this JVM's run directory, or else its parent pids, say it is
          // ours.
          if (cmd.contains("/run-" + self + "-")) {
            result.add(p);
            continue;
          }
          long pid = ppid(p);
          for (int depth = 0; depth < 10 && pid > 1; depth++) {
            if (pid == self) {
              result.add(p);
              break;
            }
            pid = ppid(Path.of("/proc", Long.toString(pid)));
          }
        } catch (IOException gone) {
          // ended meanwhile
        }
      }
    }
    return result;
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

  /**
   * Whether restoring a checkpointed, warmed child (CRIU) could be measured here: `criu check`
   * initializes its view of the kernel the way a dump or restore would, and says why not.
   */
  void criuCheck() {
    // BENCH_CRIU (run.sh) names a CRIU built by hand: Debian 12's 3.17 fails on kernels from 6.13.
    Optional<Path> criu =
        Optional.ofNullable(System.getProperty("bench.criu")).map(Path::of).or(() -> which("criu"));
    if (criu.isEmpty()) {
      notes.add(
          "CRIU (restore a checkpointed, warmed child instead of booting one): not tried, criu is"
              + " not installed (Debian: apt-get install criu)");
      return;
    }
    String version =
        "criu " + firstLine(List.of(criu.get().toString(), "--version")).replace("Version: ", "");
    List<String> errors = new ArrayList<>();
    try {
      // Output to a file, so the timeout holds even if criu hangs with its output open.
      Path out = Files.createTempFile("nsjunit-bench-criu", ".txt");
      Process p =
          new ProcessBuilder(criu.get().toString(), "check")
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
      }
      String text = Files.readString(out);
      Files.delete(out);
      // "Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds": the message, once; the
      // generic "exited, status=1" of a helper says nothing.
      text.lines()
          .filter(l -> l.startsWith("Error"))
          .map(l -> l.replaceFirst("^Error \\([^)]*\\): *", ""))
          .filter(l -> !l.startsWith("exited, status") && !l.startsWith("Can't wait"))
          .distinct()
          .limit(3)
          .forEach(errors::add);
      if (errors.isEmpty() && p.exitValue() != 0) {
        errors.add("exit " + p.exitValue() + ": " + tail(text.strip(), 300));
      }
    } catch (IOException | InterruptedException | IllegalThreadStateException e) {
      errors.add(oneLine(e));
    }
    if (errors.isEmpty()) {
      new CheckpointRestore(this, criu.get(), version).measure();
      return;
    }
    notes.add(
        "CRIU (restore a checkpointed, warmed child instead of booting one): cannot run on this kernel, so not"
            + " measured: `criu check` of "
            + version
            + " fails: "
            + String.join(" / ", errors)
            + " (a CRIU of 4.1 or later, built by hand, can be named with BENCH_CRIU=<path>)");
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
