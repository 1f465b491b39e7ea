package dev.nsjunit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.testing.TestJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL of the JVM that runs the tests (Surefire's fork, an IDE) in the middle of an isolated
 * test: the launcher sees its stdin pipe close and kills the sandbox; nothing survives.
 */
class ParentKillTest {

  @Test
  void sigkillOfTheTestJvmMidTestLeavesNoLauncherOrChildJvm(@TempDir Path tmp) throws Exception {
    Path marker = tmp.resolve("in-test-body");
    Process jvm = TestJvm.fixture(Cases.class, List.of(), "fixture.marker=" + marker).start();
    try {
      long deadline = System.currentTimeMillis() + 60_000;
      while (!Files.exists(marker) && System.currentTimeMillis() < deadline && jvm.isAlive()) {
        Thread.sleep(50);
      }
      assertThat(marker).as("the isolated test started").exists();
      List<ProcessHandle> tree = jvm.toHandle().descendants().collect(Collectors.toList());
      // launcher, sandbox PID 1, child JVM, and the sleeper the test started
      assertThat(tree).as("sandbox processes before the kill").hasSizeGreaterThanOrEqualTo(4);
      long pid = jvm.pid();
      Instant start = jvm.toHandle().info().startInstant().orElseThrow();

      jvm.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup code of ours runs
      assertThat(jvm.waitFor(10, TimeUnit.SECONDS)).isTrue();

      long end = System.currentTimeMillis() + 10_000;
      while (tree.stream().anyMatch(ProcessHandle::isAlive) && System.currentTimeMillis() < end) {
        Thread.sleep(50);
      }
      assertThat(tree.stream().filter(ProcessHandle::isAlive).map(p -> p.pid() + " " + p.info().commandLine().orElse("")))
          .as("processes that survived the SIGKILL of the test JVM").isEmpty();

      // The launcher removes the test's cgroups itself when its parent dies, so none is left
      // even before the next run's sweep.
      assertThat(dev.nsjunit.testing.HostCgroups.named("nsjunit-" + pid + "-"))
          .as("cgroups of the killed JVM right after the kill").isEmpty();
      // A killed JVM cannot remove its private directory: the next run sweeps it.
      Path runDir = Path.of(System.getProperty("java.io.tmpdir"), "nsjunit-0", "run-" + pid + "-" + start.toEpochMilli());
      Process next = TestJvm.fixture(QuickCases.class, List.of()).start();
      String out = new String(next.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(next.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(out).contains("SUCCESSFUL");
      assertThat(runDir).as("the killed JVM's private directory, after the next run").doesNotExist();
      assertThat(dev.nsjunit.testing.HostCgroups.named("nsjunit-" + pid + "-"))
          .as("cgroups of the killed JVM after the next run").isEmpty();
    } finally {
      jvm.destroyForcibly();
    }
  }

  static class Cases {
    @org.junit.jupiter.api.Test
    @CgroupLimit(memory = "256M", pids = 100)
    void sleepsInTheSandbox() throws Exception {
      new ProcessBuilder("sleep", "1000").start();
      Files.writeString(Path.of(System.getProperty("fixture.marker")), "started");
      Thread.sleep(120_000);
    }
  }

  static class QuickCases {
    @org.junit.jupiter.api.Test
    @CgroupLimit(pids = 100)
    void quick() {}
  }
}
