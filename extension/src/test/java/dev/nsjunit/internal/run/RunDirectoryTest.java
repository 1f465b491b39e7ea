package dev.nsjunit.internal.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.internal.limits.cgroup.CgroupNames;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start-up sweep of run directories: never a live run's, always a dead one's. */
class RunDirectoryTest {

  private static long ownStart() {
    return ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli();
  }

  /** A pid that no process has now: a process that has ended and been reaped. */
  private static long endedPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    return p.pid();
  }

  /**
   * The JDK computes a start instant from /proc/stat's btime, which readers may see a second apart
   * (clock adjustments): a live run must not be swept for that.
   */
  @Test
  void theSweepKeepsALiveRunWhoseStartTimeWasReadASecondApart(@TempDir Path base) throws Exception {
    long pid = ProcessHandle.current().pid();
    Path live = Files.createDirectory(base.resolve("run-" + pid + "-" + (ownStart() + 1000)));
    Path earlierLive =
        Files.createDirectory(base.resolve("run-" + pid + "-" + (ownStart() - 1000)));
    Path reusedPid =
        Files.createDirectory(base.resolve("run-" + pid + "-" + (ownStart() - 600_000)));
    Path dead = Files.createDirectory(base.resolve("run-" + endedPid() + "-" + ownStart()));
    Files.writeString(dead.resolve("s1.status"), "exit 0\n");

    assertThat(RunDirectory.sweep(base)).isEqualTo(2);

    assertThat(live).exists();
    assertThat(earlierLive).exists();
    assertThat(reusedPid)
        .as("same pid, started ten minutes earlier: another process")
        .doesNotExist();
    assertThat(dead).doesNotExist();
  }

  /** Run directories and cgroups name their owner the same way and judge it the same way. */
  @Test
  void runDirectoriesAndCgroupsUseTheSameOwnerTolerance() throws Exception {
    long pid = ProcessHandle.current().pid();
    long ended = endedPid();
    for (long skew :
        new long[] {0, 999, -999, 1500, -1500, 2000, -2000, 2001, -2001, 60_000, -60_000}) {
      long start = ownStart() + skew;
      assertThat(RunDirectory.ownerAlive("run-" + pid + "-" + start))
          .as("skew %d ms", skew)
          .isEqualTo(CgroupNames.ownerAlive("nsjunit-" + pid + "-" + start + "-1"));
      assertThat(RunDirectory.ownerAlive("run-" + ended + "-" + start)).isFalse();
    }
    assertThat(RunDirectory.ownerAlive("run-" + pid + "-" + (ownStart() + 2000))).isTrue();
    assertThat(RunDirectory.ownerAlive("run-" + pid + "-" + (ownStart() + 2001))).isFalse();
  }
}
