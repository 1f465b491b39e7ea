package dev.nsjunit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.CgroupLimit;
import dev.nsjunit.Hostname;
import dev.nsjunit.Sandbox;
import dev.nsjunit.SandboxFailedException;
import dev.nsjunit.internal.run.RunDirectory;
import dev.nsjunit.testing.HostCgroups;
import dev.nsjunit.testing.SandboxKit;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * How a sandbox ends: the report stays true when nsjunit itself ends it (a timeout), and every exit
 * path, a failure half way through setup included, leaves nothing behind.
 */
class TeardownTest {

  private static String ownCgroupPrefix() {
    return "nsjunit-" + ProcessHandle.current().pid() + "-";
  }

  /**
   * nsjunit ends a timed-out sandbox itself; the launcher must not take the test's cgroups with it,
   * or the usage (peak memory, OOM kills) is lost and, on cgroup v1, reading it fails and hides the
   * timeout behind an IllegalStateException.
   */
  @Test
  void aTimedOutTestWithLimitsIsReportedAsATimeoutWithItsUsage() {
    SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "sleepsPastItsTimeout");
    SandboxFailedException t = run.sandboxFailureOf("sleepsPastItsTimeout");
    assertThat(t.reason()).isEqualTo(SandboxFailedException.Reason.TIMED_OUT);
    assertThat(t).hasMessageContaining("sleepsPastItsTimeout() timed out after 8s");
    assertThat(run.reportEntries())
        .containsKey("nsjunit.memory.peak.bytes")
        .containsEntry("nsjunit.oom.kills", "0");
    assertThat(Long.parseLong(run.reportEntries().get("nsjunit.memory.peak.bytes")))
        .isGreaterThan(1L << 20);
    assertThat(HostCgroups.named(ownCgroupPrefix()))
        .as("the test's cgroups, removed by this JVM")
        .isEmpty();
  }

  /**
   * The debug port is checked after the hosts file and the cgroups are made: the test fails before
   * its launcher starts, and what was made for it is gone.
   */
  @Test
  void aFailureHalfWayThroughSetupLeavesNoFileAndNoCgroup() throws Exception {
    Path runDirectory = RunDirectory.get().path();
    List<String> before = sandboxFiles(runDirectory);
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      SandboxKit.Run run =
          SandboxKit.runMethod(
              Cases.class,
              "hostnameAndLimits",
              Map.of("nsjunit.debug", Integer.toString(taken.getLocalPort())));
      assertThat(run.onlyFailure())
          .hasMessageStartingWith("nsjunit.debug=" + taken.getLocalPort() + ": cannot listen");
    }
    assertThat(sandboxFiles(runDirectory))
        .as("files of sandboxes in " + runDirectory)
        .isEqualTo(before);
    assertThat(HostCgroups.named(ownCgroupPrefix())).as("the test's cgroups").isEmpty();
  }

  /** Per-sandbox files: hosts files, status files, channel sockets, class path argument files. */
  private static List<String> sandboxFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.matches("hosts-\\d+|s\\d+\\.(status|sock)|cp-\\d+\\.args"))
          .sorted()
          .collect(Collectors.toList());
    }
  }

  static class Cases {
    @org.junit.jupiter.api.Test
    @CgroupLimit(memory = "256M")
    @Sandbox(timeout = "8s")
    void sleepsPastItsTimeout() throws Exception {
      Thread.sleep(600_000);
    }

    @org.junit.jupiter.api.Test
    @Hostname("half-way")
    @CgroupLimit(memory = "256M")
    void hostnameAndLimits() {}
  }
}
