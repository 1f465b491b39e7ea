package dev.nsjunit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.CgroupLimit;
import dev.nsjunit.FreshPid;
import dev.nsjunit.IsolatedNetns;
import dev.nsjunit.testing.HostCgroups;
import dev.nsjunit.testing.TestJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The JVM that runs the tests is SIGKILLed at random moments of a run of isolated tests (start,
 * launch, setup, test body, result transfer, teardown): no process may survive it, and what the
 * dead JVM could not remove (cgroups, its run directory) is swept by the next run.
 *
 * <p>Trials: {@code -Dnsjunit.killTrials=N} (default 20, the CI run). The kill moments come from a
 * seed printed at the start and in every failure; {@code -Dnsjunit.killSeed=S} replays them.
 */
class ParentKillTrialsTest {

  @Test
  void sigkillAtRandomMomentsLeavesNoProcessAndTheNextRunSweepsTheRest() throws Exception {
    int trials = Integer.getInteger("nsjunit.killTrials", 20);
    long seed = Long.getLong("nsjunit.killSeed", System.nanoTime());
    String replay =
        "(seed "
            + seed
            + ": replay with -Dnsjunit.killSeed="
            + seed
            + " -Dnsjunit.killTrials="
            + trials
            + ")";
    System.out.println("parent SIGKILL trials " + replay);
    Random random = new Random(seed);
    List<String> leftoverProcesses = new ArrayList<>();
    List<Path> runDirsAtKill = new ArrayList<>();
    List<Path> cgroupsAtKill = new ArrayList<>();
    List<Long> killedPids = new ArrayList<>();
    int trialsWithASandbox = 0;
    List<String> leftBeforeSweep = new ArrayList<>();
    int leftForTheSweep = 0;
    for (int trial = 0; trial < trials; trial++) {
      Process jvm = TestJvm.fixture(Cases.class, List.of()).start();
      Path runDir =
          Path.of(
              System.getProperty("java.io.tmpdir"),
              "nsjunit-0",
              "run-"
                  + jvm.pid()
                  + "-"
                  + jvm.toHandle().info().startInstant().orElseThrow().toEpochMilli());
      // One trial in five is killed while the JVM starts and discovers its tests; the others at a
      // random moment after its first sandbox appeared (launch and setup, test bodies, results,
      // teardown, the next sandboxes). Counted from that event, not from the JVM's start, so a slow
      // or busy machine does not turn every trial into a kill of a starting JVM.
      boolean duringStart = random.nextInt(5) == 0;
      long delay = duringStart ? random.nextInt(1500) : random.nextInt(4000);
      List<ProcessHandle> seen = new ArrayList<>();
      if (!duringStart) {
        long firstSandboxDeadline = System.currentTimeMillis() + 60_000;
        while (!collect(jvm, seen) && jvm.isAlive()) {
          assertThat(System.currentTimeMillis())
              .as("the fixture JVM started no sandbox within 60 s " + replay)
              .isLessThan(firstSandboxDeadline);
          Thread.sleep(10);
        }
      }
      long end = System.currentTimeMillis() + delay;
      while (System.currentTimeMillis() < end) {
        collect(jvm, seen);
        Thread.sleep(20);
      }
      jvm.toHandle().descendants().forEach(seen::add);
      // What exists at the moment of the kill is what must be gone afterwards.
      if (Files.isDirectory(runDir)) {
        runDirsAtKill.add(runDir);
      }
      cgroupsAtKill.addAll(HostCgroups.named("nsjunit-" + jvm.pid() + "-"));
      if (jvm.toHandle().descendants().anyMatch(p -> isSandboxLauncher(p))) {
        trialsWithASandbox++;
      }
      // The janitor starts right after the run directory is made (from the launcher extracted
      // into it): a kill in between leaves the directory to the next run's sweep, checked below.
      boolean janitorAtKill =
          jvm.toHandle()
              .descendants()
              .anyMatch(p -> p.info().commandLine().orElse("").contains("--janitor"));
      killedPids.add(jvm.pid());
      jvm.destroyForcibly();
      assertThat(jvm.waitFor(10, TimeUnit.SECONDS)).as("the killed JVM ended " + replay).isTrue();
      // The janitor may take 3 s for cgroups and 3 s more for the run directory.
      long deadline = System.currentTimeMillis() + 10_000;
      while (seen.stream().anyMatch(ProcessHandle::isAlive)
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      int t = trial;
      seen.stream()
          .filter(ProcessHandle::isAlive)
          .forEach(
              p ->
                  leftoverProcesses.add(
                      "trial "
                          + t
                          + " ("
                          + delay
                          + " ms after "
                          + (duringStart ? "the JVM started" : "its first sandbox appeared")
                          + "): "
                          + p.pid()
                          + " "
                          + p.info().commandLine().orElse("?")));
      // The janitor is among the processes waited for above: once it has ended, the launcher's
      // and its own cleanup are done, and nothing of the killed JVM may be left.
      HostCgroups.named("nsjunit-" + jvm.pid() + "-")
          .forEach(g -> leftBeforeSweep.add("trial " + t + " (" + delay + " ms): cgroup " + g));
      if (Files.exists(runDir) && janitorAtKill) {
        leftBeforeSweep.add("trial " + t + " (" + delay + " ms): run directory " + runDir);
      } else if (Files.exists(runDir)) {
        leftForTheSweep++;
      }
    }
    System.out.println(
        "parent SIGKILL trials: "
            + trials
            + "; at the kill: "
            + trialsWithASandbox
            + " with a sandbox running, "
            + runDirsAtKill.size()
            + " run directories, "
            + cgroupsAtKill.size()
            + " cgroups; processes left: "
            + leftoverProcesses.size()
            + ", cgroups and run directories left before the next run's sweep: "
            + leftBeforeSweep.size()
            + " (and "
            + leftForTheSweep
            + " run directories of JVMs killed before their janitor had started)");
    assertThat(leftoverProcesses)
        .as("processes that survived a SIGKILL of their test JVM " + replay)
        .isEmpty();
    assertThat(leftBeforeSweep)
        .as("left by killed JVMs once their janitors ended, before any other run " + replay)
        .isEmpty();
    // Trials that killed only starting JVMs verified nothing: the kills must have met real
    // sandboxes.
    if (trials >= 10) {
      assertThat(trialsWithASandbox).as("trials killed while a sandbox ran " + replay).isPositive();
      assertThat(runDirsAtKill)
          .as("trials killed while the JVM had its run directory " + replay)
          .isNotEmpty();
      assertThat(cgroupsAtKill)
          .as("trials killed while the JVM had test cgroups " + replay)
          .isNotEmpty();
    }

    // The next run: its first test with limits sweeps cgroups of dead owners, and its run
    // directory creation sweeps dead owners' directories.
    Process next = TestJvm.fixture(SweepCases.class, List.of()).start();
    String out = new String(next.getInputStream().readAllBytes());
    assertThat(next.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(out).contains("test sweeps() SUCCESSFUL");

    assertThat(runDirsAtKill)
        .as("run directories of killed JVMs after the next run " + replay)
        .allSatisfy(dir -> assertThat(dir).doesNotExist());
    assertThat(cgroupsAtKill)
        .as("cgroups of killed JVMs after the next run " + replay)
        .allSatisfy(group -> assertThat(group).doesNotExist());
    List<Path> cgroupsAfterSweep = new ArrayList<>();
    List<Path> dirsAfterSweep = new ArrayList<>();
    for (long pid : killedPids) {
      cgroupsAfterSweep.addAll(HostCgroups.named("nsjunit-" + pid + "-"));
      try (var runs = Files.list(Path.of(System.getProperty("java.io.tmpdir"), "nsjunit-0"))) {
        dirsAfterSweep.addAll(
            runs.filter(r -> r.getFileName().toString().startsWith("run-" + pid + "-"))
                .collect(Collectors.toList()));
      }
    }
    assertThat(cgroupsAfterSweep)
        .as("cgroups of killed JVMs after the next run " + replay)
        .isEmpty();
    assertThat(dirsAfterSweep)
        .as("run directories of killed JVMs after the next run " + replay)
        .isEmpty();
  }

  /**
   * Adds the JVM's descendants not seen before; true once one of them is a launcher (a sandbox).
   */
  private static boolean collect(Process jvm, List<ProcessHandle> seen) {
    jvm.toHandle()
        .descendants()
        .forEach(
            p -> {
              if (seen.stream().noneMatch(s -> s.pid() == p.pid())) {
                seen.add(p);
              }
            });
    return seen.stream().anyMatch(ParentKillTrialsTest::isSandboxLauncher);
  }

  /** A launcher of a sandbox, not the JVM's janitor (which starts with the first sandbox). */
  private static boolean isSandboxLauncher(ProcessHandle p) {
    String cmd = p.info().commandLine().orElse("");
    return cmd.contains("nsjunit-launch") && !cmd.contains("--janitor");
  }

  /** A run of isolated tests of every kind, long enough that a kill lands in each phase. */
  static class Cases {
    @org.junit.jupiter.api.Test
    @FreshPid
    void first() throws Exception {
      new ProcessBuilder("sleep", "600").start();
      Thread.sleep(300);
    }

    @org.junit.jupiter.api.Test
    @CgroupLimit(memory = "256M", pids = 200)
    void limited() throws Exception {
      Thread.sleep(200);
    }

    @org.junit.jupiter.api.Test
    @IsolatedNetns
    void networked() {}

    @org.junit.jupiter.api.Test
    @FreshPid
    void quick() {}

    @org.junit.jupiter.api.Test
    @CgroupLimit(pids = 100)
    void limitedToo() throws Exception {
      Thread.sleep(500);
    }
  }

  static class SweepCases {
    @org.junit.jupiter.api.Test
    @CgroupLimit(pids = 100)
    void sweeps() {}
  }
}
