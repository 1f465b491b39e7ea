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
 * The JVM that runs the tests is SIGKILLed at random moments of a run of isolated tests (launch,
 * setup, test body, result transfer, teardown): no process may survive it, and what the dead JVM
 * could not remove (cgroups, its run directory) is swept by the next run.
 *
 * <p>Trials: {@code -Dnsjunit.killTrials=N} (default 20, the CI run).
 */
class ParentKillTrialsTest {

  @Test
  void sigkillAtRandomMomentsLeavesNoProcessAndTheNextRunSweepsTheRest() throws Exception {
    int trials = Integer.getInteger("nsjunit.killTrials", 20);
    Random random = new Random(Long.getLong("nsjunit.killSeed", System.nanoTime()));
    List<String> leftoverProcesses = new ArrayList<>();
    List<Long> killedPids = new ArrayList<>();
    int cgroupsLeftBeforeSweep = 0;
    for (int trial = 0; trial < trials; trial++) {
      Process jvm = TestJvm.fixture(Cases.class, List.of()).start();
      // Covers JVM start and discovery (early), launch and setup, test bodies, results, teardown.
      long delay = 300 + random.nextInt(3500);
      List<ProcessHandle> seen = new ArrayList<>();
      long end = System.currentTimeMillis() + delay;
      while (System.currentTimeMillis() < end) {
        jvm.toHandle().descendants().forEach(p -> {
          if (seen.stream().noneMatch(s -> s.pid() == p.pid())) {
            seen.add(p);
          }
        });
        Thread.sleep(20);
      }
      jvm.toHandle().descendants().forEach(seen::add);
      killedPids.add(jvm.pid());
      jvm.destroyForcibly();
      jvm.waitFor(10, TimeUnit.SECONDS);
      long deadline = System.currentTimeMillis() + 5_000;
      while (seen.stream().anyMatch(ProcessHandle::isAlive) && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      seen.stream().filter(ProcessHandle::isAlive)
          .forEach(p -> leftoverProcesses.add("trial " + p.pid() + " " + p.info().commandLine().orElse("?")));
      cgroupsLeftBeforeSweep += HostCgroups.named("nsjunit-" + jvm.pid() + "-").size();
    }

    // The next run: its first test with limits sweeps cgroups of dead owners, and its run
    // directory creation sweeps dead owners' directories.
    Process next = TestJvm.fixture(SweepCases.class, List.of()).start();
    String out = new String(next.getInputStream().readAllBytes());
    assertThat(next.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(out).contains("SUCCESSFUL");

    List<Path> cgroupsAfterSweep = new ArrayList<>();
    List<Path> dirsAfterSweep = new ArrayList<>();
    for (long pid : killedPids) {
      cgroupsAfterSweep.addAll(HostCgroups.named("nsjunit-" + pid + "-"));
      try (var runs = Files.list(Path.of(System.getProperty("java.io.tmpdir"), "nsjunit-0"))) {
        dirsAfterSweep.addAll(runs.filter(r -> r.getFileName().toString().startsWith("run-" + pid + "-")).collect(Collectors.toList()));
      }
    }
    System.out.println("parent SIGKILL trials: " + trials + ", processes left: " + leftoverProcesses.size()
        + ", cgroups left before the next run's sweep: " + cgroupsLeftBeforeSweep
        + ", after it: " + cgroupsAfterSweep.size() + ", run directories after it: " + dirsAfterSweep.size());
    assertThat(leftoverProcesses).as("processes that survived a SIGKILL of their test JVM").isEmpty();
    assertThat(cgroupsAfterSweep).as("cgroups of killed JVMs after the next run").isEmpty();
    assertThat(dirsAfterSweep).as("run directories of killed JVMs after the next run").isEmpty();
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
