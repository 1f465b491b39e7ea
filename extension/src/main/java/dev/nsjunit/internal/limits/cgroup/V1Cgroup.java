package dev.nsjunit.internal.limits.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/** A sandbox's groups on a v1 or hybrid host: one directory per hierarchy, same name in each. */
final class V1Cgroup extends MeasuredGroup {
  private static final long FREEZE_WAIT_MILLIS = 1000;

  private final String name;
  private final Map<String, Path> byController;
  private final Optional<Path> unified;
  private final List<Path> created = new ArrayList<>();

  V1Cgroup(String name, Map<String, Path> byController, Optional<Path> unified) {
    this.name = name;
    this.byController = Map.copyOf(byController);
    this.unified = unified;
  }

  synchronized void created(Path dir) {
    created.add(dir);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public synchronized List<Path> attachDirectories() {
    return List.copyOf(created);
  }

  @Override
  Usage read() throws CgroupException {
    Path memory = byController.get("memory");
    Path cpu = byController.get("cpu");
    Path cpuacct = byController.get("cpuacct");
    Path pids = byController.get("pids");
    long peak =
        memory == null ? 0 : ControlFiles.readLong(memory.resolve("memory.max_usage_in_bytes"));
    long current =
        memory == null ? 0 : ControlFiles.readLong(memory.resolve("memory.usage_in_bytes"));
    long cpuNanos = cpuacct == null ? 0 : ControlFiles.readLong(cpuacct.resolve("cpuacct.usage"));
    long throttledNanos =
        cpu == null ? 0 : ControlFiles.readKey(cpu.resolve("cpu.stat"), "throttled_time").orElse(0);
    long pidsCurrent = pids == null ? 0 : ControlFiles.readLong(pids.resolve("pids.current"));
    // pids.peak came to v1 late (6.x); older kernels do not count it
    OptionalLong pidsPeak =
        pids != null && Files.exists(pids.resolve("pids.peak"))
            ? OptionalLong.of(ControlFiles.readLong(pids.resolve("pids.peak")))
            : OptionalLong.empty();
    return new Usage(
        peak,
        current,
        Duration.ofNanos(cpuNanos),
        Duration.ofNanos(throttledNanos),
        pidsCurrent,
        pidsPeak,
        readOomKills());
  }

  @Override
  long readOomKills() throws CgroupException {
    Path memory = byController.get("memory");
    return memory == null
        ? 0
        : ControlFiles.readKey(memory.resolve("memory.oom_control"), "oom_kill").orElse(0);
  }

  @Override
  void killAndRemove() {
    killEverything();
    GroupRemoval.awaitEmpty(
        created, System.nanoTime() + GroupRemoval.REMOVE_BUDGET_MILLIS * 1_000_000);
    CgroupException failure = null;
    for (Path dir : created) {
      try {
        GroupRemoval.removeTree(dir);
      } catch (CgroupException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw new IllegalStateException(failure.getMessage(), failure);
    }
  }

  /**
   * cgroup.kill of the unified group when the kernel has it (atomic, kills forks in flight); then
   * freeze, SIGKILL and thaw for whatever is left in the v1 groups, so that a process cannot fork
   * between being listed and being killed. Frozen processes die once thawed.
   */
  private void killEverything() {
    if (unified.isPresent() && Files.exists(unified.get().resolve("cgroup.kill"))) {
      try {
        ControlFiles.write(unified.get().resolve("cgroup.kill"), "1");
      } catch (CgroupException e) {
        // fall through to the freezer
      }
    }
    Set<Long> pids = allProcs();
    if (pids.isEmpty()) {
      return;
    }
    Path freezer = byController.get("freezer");
    if (freezer == null || !Files.isDirectory(freezer)) {
      for (int round = 0; round < 10 && !pids.isEmpty(); round++) {
        GroupRemoval.killAll(pids);
        GroupRemoval.sleep(20);
        pids = allProcs();
      }
      return;
    }
    try {
      ControlFiles.write(freezer.resolve("freezer.state"), "FROZEN");
      awaitFrozen(freezer);
      GroupRemoval.killAll(allProcs());
    } catch (CgroupException e) {
      GroupRemoval.killAll(allProcs());
    } finally {
      try {
        ControlFiles.write(freezer.resolve("freezer.state"), "THAWED");
      } catch (CgroupException e) {
        // removal below reports what is left
      }
    }
  }

  private void awaitFrozen(Path freezer) throws CgroupException {
    long deadline = System.nanoTime() + FREEZE_WAIT_MILLIS * 1_000_000;
    while (!ControlFiles.read(freezer.resolve("freezer.state")).strip().equals("FROZEN")
        && System.nanoTime() < deadline) {
      GroupRemoval.sleep(5);
    }
  }

  private Set<Long> allProcs() {
    Set<Long> pids = new LinkedHashSet<>();
    for (Path dir : created) {
      pids.addAll(GroupRemoval.procsBelow(dir));
    }
    return pids;
  }
}
