package dev.nsjunit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.testing.HostCgroups;
import dev.nsjunit.testing.TestJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.assertj.core.api.Condition;
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
      List<String> commands =
          tree.stream().map(p -> p.info().commandLine().orElse("?")).collect(Collectors.toList());
      // The outer launcher, the sandbox's PID 1 (the launcher again), the child JVM, the test's
      // sleeper; and the JVM's janitor, which removes what the JVM cannot after its death.
      assertThat(commands)
          .as("sandbox processes before the kill")
          .haveAtLeast(
              2,
              new Condition<>(
                  c -> c.contains("nsjunit-launch") && !c.contains("--janitor"), "a launcher"))
          .haveExactly(1, commandContaining("nsjunit-launch --janitor"))
          .haveAtLeast(1, commandContaining("dev.nsjunit.internal.child.ChildMain"))
          .haveAtLeast(1, commandContaining("sleep 1000"));
      long pid = jvm.pid();
      Instant start = jvm.toHandle().info().startInstant().orElseThrow();
      // What the kill must not leave behind existed before it: otherwise "gone" below proves
      // nothing.
      List<Path> cgroups = HostCgroups.named("nsjunit-" + pid + "-");
      assertThat(cgroups)
          .as("cgroups of the test JVM before the kill (memory and pids at least)")
          .hasSizeGreaterThanOrEqualTo(2);
      Path runDir =
          Path.of(
              System.getProperty("java.io.tmpdir"),
              "nsjunit-0",
              "run-" + pid + "-" + start.toEpochMilli());
      assertThat(runDir).as("the test JVM's private directory, before the kill").isDirectory();

      jvm.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup code of ours runs
      assertThat(jvm.waitFor(10, TimeUnit.SECONDS)).isTrue();

      long end = System.currentTimeMillis() + 10_000;
      while (tree.stream().anyMatch(ProcessHandle::isAlive) && System.currentTimeMillis() < end) {
        Thread.sleep(50);
      }
      assertThat(
              tree.stream()
                  .filter(ProcessHandle::isAlive)
                  .map(p -> p.pid() + " " + p.info().commandLine().orElse("")))
          .as("processes that survived the SIGKILL of the test JVM")
          .isEmpty();

      // The launcher removes the test's cgroups itself when its parent dies, so none is left
      // even before the next run's sweep.
      assertThat(cgroups)
          .as("cgroups of the killed JVM right after the kill")
          .allSatisfy(g -> assertThat(g).doesNotExist());
      assertThat(HostCgroups.named("nsjunit-" + pid + "-"))
          .as("cgroups of the killed JVM right after the kill")
          .isEmpty();
      // A killed JVM cannot remove its private directory; its janitor (in the tree above, ended
      // by now) did.
      assertThat(runDir)
          .as("the killed JVM's private directory, after its janitor ended")
          .doesNotExist();
      // The next run's sweep finds nothing of it either.
      Process next = TestJvm.fixture(QuickCases.class, List.of()).start();
      String out = new String(next.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(next.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(out).contains("test quick() SUCCESSFUL");
      assertThat(runDir)
          .as("the killed JVM's private directory, after the next run's sweep")
          .doesNotExist();
      assertThat(HostCgroups.named("nsjunit-" + pid + "-"))
          .as("cgroups of the killed JVM after the next run")
          .isEmpty();
    } finally {
      jvm.destroyForcibly();
    }
  }

  static Condition<String> commandContaining(String part) {
    return new Condition<>(c -> c.contains(part), "a command line containing \"" + part + "\"");
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
