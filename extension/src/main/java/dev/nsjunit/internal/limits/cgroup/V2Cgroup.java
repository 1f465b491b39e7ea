package dev.nsjunit.internal.limits.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/** A sandbox's group on a v2 host: one directory, all controllers in it. */
final class V2Cgroup extends MeasuredGroup {
  private static final long FREEZE_WAIT_MILLIS = 1000;

  private final String name;
  private final Path dir;

  V2Cgroup(String name, Path dir) {
    this.name = name;
    this.dir = dir;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<Path> attachDirectories() {
    return List.of(dir);
  }

  /** Files of controllers that are not enabled are absent; their numbers read as 0. */
  @Override
  Usage read() throws CgroupException {
    long current = optionalLong("memory.current").orElse(0);
    // memory.peak arrived in 5.19; before that the current charge is the best we have
    long peak = optionalLong("memory.peak").orElse(current);
    Path cpuStat = dir.resolve("cpu.stat");
    long cpuMicros =
        Files.exists(cpuStat) ? ControlFiles.readKey(cpuStat, "usage_usec").orElse(0) : 0;
    long throttledMicros =
        Files.exists(cpuStat) ? ControlFiles.readKey(cpuStat, "throttled_usec").orElse(0) : 0;
    long pidsCurrent = optionalLong("pids.current").orElse(0);
    return new Usage(
        peak,
        current,
        Duration.ofNanos(cpuMicros * 1000),
        Duration.ofNanos(throttledMicros * 1000),
        pidsCurrent,
        optionalLong("pids.peak"),
        readOomKills());
  }

  private OptionalLong optionalLong(String file) throws CgroupException {
    Path p = dir.resolve(file);
    return Files.exists(p) ? OptionalLong.of(ControlFiles.readLong(p)) : OptionalLong.empty();
  }

  @Override
  long readOomKills() throws CgroupException {
    Path events = dir.resolve("memory.events");
    return Files.exists(events) ? ControlFiles.readKey(events, "oom_kill").orElse(0) : 0;
  }

  @Override
  void killAndRemove() {
    if (Files.isDirectory(dir)) {
      killEverything();
      GroupRemoval.awaitEmpty(
          List.of(dir), System.nanoTime() + GroupRemoval.REMOVE_BUDGET_MILLIS * 1_000_000);
    }
    try {
      GroupRemoval.removeTree(dir);
    } catch (CgroupException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /**
   * cgroup.kill (5.14+) kills the whole subtree atomically, forks in flight included. Older
   * kernels: freeze, SIGKILL what is listed, thaw; frozen processes die once thawed.
   */
  private void killEverything() {
    Path kill = dir.resolve("cgroup.kill");
    if (Files.exists(kill)) {
      try {
        ControlFiles.write(kill, "1");
        return;
      } catch (CgroupException e) {
        // fall back to freezing
      }
    }
    Set<Long> pids = GroupRemoval.procsBelow(dir);
    if (pids.isEmpty()) {
      return;
    }
    Path freeze = dir.resolve("cgroup.freeze");
    try {
      ControlFiles.write(freeze, "1");
      long deadline = System.nanoTime() + FREEZE_WAIT_MILLIS * 1_000_000;
      while (ControlFiles.readKey(dir.resolve("cgroup.events"), "frozen").orElse(0) != 1
          && System.nanoTime() < deadline) {
        GroupRemoval.sleep(5);
      }
    } catch (CgroupException e) {
      // no freezer: kill what we see
    }
    GroupRemoval.killAll(GroupRemoval.procsBelow(dir));
    try {
      ControlFiles.write(freeze, "0");
    } catch (CgroupException e) {
      // removal reports what is left
    }
  }
}
