package dev.nsjunit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.FreshPid;
import dev.nsjunit.internal.cleanup.Janitor;
import dev.nsjunit.testing.TestJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM's janitor removes what a SIGKILLed JVM made and no launcher holds: here a test cgroup
 * with a process in it, made at a moment no sandbox runs (the window between creating a group and
 * handing it to a launcher, held open for as long as the test needs), and the JVM's run directory.
 * What the JVM removed itself and told the janitor so is left alone.
 */
class JanitorTest {

  @Test
  void afterASigkillTheJanitorRemovesTheJvmsCgroupsAndRunDirectoryButNotWhatItWasToldToForget(
      @TempDir Path tmp) throws Exception {
    Path marker = tmp.resolve("ready");
    // No class-data dump and no sandbox started ahead in that JVM: each runs under a launcher of
    // its own, which the check below would see beside the janitor (the JDK 25 CI step once found
    // two launcher processes there, while the fixture's first sandbox had a new cache dumped).
    Process jvm =
        TestJvm.fixture(
                Cases.class,
                List.of(),
                "fixture.marker=" + marker,
                "nsjunit.cds=false",
                "nsjunit.prestart=0")
            .start();
    Path watched = null;
    Path forgotten = null;
    try {
      long deadline = System.currentTimeMillis() + 60_000;
      while (!Files.exists(marker) && System.currentTimeMillis() < deadline && jvm.isAlive()) {
        Thread.sleep(50);
      }
      assertThat(marker)
          .as("the fixture made its groups (output: %s)", jvm.isAlive() ? "running" : drain(jvm))
          .exists();
      List<String> lines = Files.readAllLines(marker);
      watched = Path.of(lines.get(0));
      forgotten = Path.of(lines.get(1));
      long sleeper = Long.parseLong(lines.get(2));
      long janitor = Long.parseLong(lines.get(3));
      Instant start = jvm.toHandle().info().startInstant().orElseThrow();
      Path runDir =
          Path.of(
              System.getProperty("java.io.tmpdir"),
              "nsjunit-0",
              "run-" + jvm.pid() + "-" + start.toEpochMilli());
      // What must disappear exists before the kill, or "gone" below proves nothing.
      assertThat(watched).isDirectory();
      assertThat(Files.readString(watched.resolve("cgroup.procs")))
          .contains(Long.toString(sleeper));
      assertThat(runDir).isDirectory();
      assertThat(ProcessHandle.of(janitor)).as("the janitor runs").isPresent();
      assertThat(
              jvm.toHandle()
                  .descendants()
                  .filter(p -> p.info().commandLine().orElse("").contains("nsjunit-launch"))
                  .map(ProcessHandle::pid))
          .as("no launcher holds the groups: only the janitor runs")
          .containsExactly(janitor);

      jvm.destroyForcibly(); // SIGKILL: no shutdown hook, no code of ours runs in that JVM
      assertThat(jvm.waitFor(10, TimeUnit.SECONDS)).isTrue();
      ProcessHandle.of(janitor).ifPresent(j -> j.onExit().orTimeout(10, TimeUnit.SECONDS).join());

      long end = System.currentTimeMillis() + 5_000;
      while (ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false)
          && System.currentTimeMillis() < end) {
        Thread.sleep(20);
      }
      assertThat(ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false))
          .as("the process left in the group is alive")
          .isFalse();
      assertThat(watched).as("the watched group").doesNotExist();
      assertThat(runDir).as("the killed JVM's run directory").doesNotExist();
      assertThat(forgotten)
          .as("a group the JVM said it had removed is not the janitor's")
          .isDirectory();
    } finally {
      jvm.destroyForcibly();
      for (Path g : new Path[] {watched, forgotten}) {
        if (g != null) {
          removeWithItsProcesses(g); // whatever the outcome, this test leaves nothing
        }
      }
    }
  }

  private static void removeWithItsProcesses(Path group) throws InterruptedException {
    long end = System.currentTimeMillis() + 5_000;
    while (Files.exists(group) && System.currentTimeMillis() < end) {
      try {
        for (String pid : Files.readAllLines(group.resolve("cgroup.procs"))) {
          ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
        }
        Files.deleteIfExists(group);
      } catch (IOException | RuntimeException busyOrGone) {
        Thread.sleep(50);
      }
    }
  }

  private static String drain(Process p) throws IOException {
    return new String(p.getInputStream().readAllBytes());
  }

  /**
   * This JVM's own group in the v1 memory hierarchy, or in the unified one on a v2-only machine.
   */
  static Path ownCgroup() throws IOException {
    String v2 = null;
    for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
      String[] f = line.split(":", 3);
      if (List.of(f[1].split(",")).contains("memory")) {
        return Path.of("/sys/fs/cgroup/memory" + f[2]);
      }
      if (f[0].equals("0")) {
        v2 = f[2];
      }
    }
    return Path.of("/sys/fs/cgroup" + v2);
  }

  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class Cases {
    @org.junit.jupiter.api.Test
    @Order(1)
    @FreshPid
    void aSandboxStartsTheJanitor() {}

    @org.junit.jupiter.api.Test
    @Order(2)
    void makesGroupsAndWaitsForItsEnd() throws Exception {
      long janitor =
          Janitor.pid().orElseThrow(() -> new AssertionError("no janitor after a sandbox ran"));
      String prefix = "nsjunit-" + ProcessHandle.current().pid() + "-1-";
      Path watched = ownCgroup().resolve(prefix + "watched");
      Path forgotten = ownCgroup().resolve(prefix + "forgotten");
      Janitor.watchCgroup(watched);
      Files.createDirectory(watched);
      Process sleeper = new ProcessBuilder("sleep", "600").start();
      Files.writeString(watched.resolve("cgroup.procs"), Long.toString(sleeper.pid()));
      Janitor.watchCgroup(forgotten);
      Files.createDirectory(forgotten);
      Janitor.forgetCgroup(forgotten);
      // Written beside the marker and renamed into place: the test polls for the marker and
      // reads it at once, and a plain write let it read an empty file (CI saw "Index 0 out of
      // bounds for length 0").
      Path marker = Path.of(System.getProperty("fixture.marker"));
      Path partial = marker.resolveSibling(marker.getFileName() + ".partial");
      Files.write(
          partial,
          List.of(
              watched.toString(),
              forgotten.toString(),
              Long.toString(sleeper.pid()),
              Long.toString(janitor)));
      Files.move(partial, marker, StandardCopyOption.ATOMIC_MOVE);
      Thread.sleep(120_000);
    }
  }
}
