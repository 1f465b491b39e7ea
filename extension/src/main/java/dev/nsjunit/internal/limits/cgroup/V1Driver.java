package dev.nsjunit.internal.limits.cgroup;

import dev.nsjunit.internal.cleanup.Janitor;
import dev.nsjunit.internal.limits.cgroup.CgroupLayout.Hierarchy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * cgroup v1, one hierarchy per controller (or per mounted combination such as "cpu,cpuacct"), and
 * the systemd "hybrid" layout, where a controller-less cgroup2 tree sits beside them. A test gets a
 * group of the same name in each hierarchy it needs; the launcher attaches to all.
 */
final class V1Driver implements CgroupDriver {
  /** Controllers this driver uses: limits, plus freezer for kills and cpuacct/pids for usage. */
  static final Set<String> USED = Set.of("memory", "cpu", "cpuacct", "cpuset", "pids", "freezer");

  private final CgroupLayout layout;

  V1Driver(CgroupLayout layout) {
    this.layout = layout;
  }

  @Override
  public String describe() {
    String controllers =
        layout.v1().stream()
            .flatMap(h -> h.controllers().stream())
            .filter(USED::contains)
            .collect(Collectors.joining(", "));
    String where =
        layout.v1With("memory").map(h -> "; this JVM's memory group: " + h.ownGroup()).orElse("");
    return layout
        .unified()
        .map(
            u ->
                "cgroup v1 (hybrid: v1 controllers "
                    + controllers
                    + ", cgroup2 without them at "
                    + u.mountPoint()
                    + where
                    + ")")
        .orElse("cgroup v1 (controllers " + controllers + where + ")");
  }

  @Override
  public TestCgroup create(String name, CgroupLimits limits) throws CgroupException {
    checkName(name);
    requireFor(limits.memoryBytes().isPresent(), "memory", "a memory limit");
    requireFor(limits.cpus().isPresent(), "cpu", "a CPU limit");
    requireFor(limits.cpuset().isPresent(), "cpuset", "a cpuset");
    requireFor(limits.pids().isPresent(), "pids", "a pids limit");

    // memory, cpuacct and pids always, for usage; freezer always, for killing; cpu and cpuset
    // only when limited (an unlimited group there changes nothing).
    Map<String, Hierarchy> wanted = new LinkedHashMap<>();
    want(wanted, "memory", true);
    want(wanted, "cpu", limits.cpus().isPresent());
    want(wanted, "cpuacct", true);
    want(wanted, "cpuset", limits.cpuset().isPresent());
    want(wanted, "pids", true);
    want(wanted, "freezer", true);

    Map<String, Path> byController = new LinkedHashMap<>();
    Map<Hierarchy, Path> created = new LinkedHashMap<>();
    for (Map.Entry<String, Hierarchy> e : wanted.entrySet()) {
      Path dir = created.computeIfAbsent(e.getValue(), h -> h.ownGroup().resolve(name));
      byController.put(e.getKey(), dir);
    }
    Optional<Path> unified = layout.unified().map(u -> u.ownGroup().resolve(name));

    V1Cgroup group = new V1Cgroup(name, byController, unified);
    try {
      for (Path dir : created.values()) {
        Janitor.watchCgroup(dir);
        ControlFiles.makeGroup(dir);
        group.created(dir);
      }
      if (unified.isPresent()) {
        // gives cgroup.kill (kernel 5.14+) for a race-free kill, even without controllers
        Janitor.watchCgroup(unified.get());
        ControlFiles.makeGroup(unified.get());
        group.created(unified.get());
      }
      writeLimits(byController, limits);
    } catch (CgroupException | RuntimeException e) {
      MeasuredGroup.abandon(group, e);
      throw e;
    }
    return group;
  }

  private void writeLimits(Map<String, Path> dirs, CgroupLimits limits) throws CgroupException {
    if (limits.memoryBytes().isPresent()) {
      writeMemory(dirs.get("memory"), limits.memoryBytes().getAsLong(), limits);
    } else {
      keepOomKillerOn(dirs.get("memory"));
    }
    if (limits.cpus().isPresent()) {
      Path cpu = dirs.get("cpu");
      ControlFiles.write(
          cpu.resolve("cpu.cfs_period_us"), Long.toString(CgroupLimits.CPU_PERIOD_MICROS));
      ControlFiles.write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(limits.cpuQuotaMicros()));
    }
    if (limits.cpuset().isPresent()) {
      writeCpuset(dirs.get("cpuset"), limits.cpuset().get());
    }
    if (limits.pids().isPresent()) {
      ControlFiles.write(
          dirs.get("pids").resolve("pids.max"), Long.toString(limits.pids().getAsLong()));
    }
  }

  private static void writeMemory(Path memory, long bytes, CgroupLimits limits)
      throws CgroupException {
    // limit first: memsw must never be below it
    ControlFiles.write(memory.resolve("memory.limit_in_bytes"), Long.toString(bytes));
    Path memsw = memory.resolve("memory.memsw.limit_in_bytes");
    if (Files.exists(memsw)) {
      ControlFiles.write(memsw, Long.toString(bytes + limits.swapBeyondMemory()));
    } else if (limits.swapBeyondMemory() > 0) {
      throw new CgroupException(
          "cannot limit swap: "
              + memsw
              + " does not exist because swap accounting is off in this kernel. Boot with"
              + " swapaccount=1 (or use cgroup v2), or drop the swap limit.");
    }
    // Without memsw (swap accounting off) a group could swap past its limit; the machines this
    // project runs on have no swap, and with swappiness 0 below the kernel avoids it anyway.
    try {
      ControlFiles.write(memory.resolve("memory.swappiness"), "0");
    } catch (CgroupException e) {
      // refused in some setups (e.g. the root group); only a preference, the limit stands
    }
    keepOomKillerOn(memory);
  }

  /**
   * A new v1 group inherits oom_kill_disable from its parent. With it set, a sandbox over its limit
   * would hang instead of being killed, and a test would time out instead of failing.
   */
  private static void keepOomKillerOn(Path memory) throws CgroupException {
    if (memory == null) {
      return;
    }
    Path control = memory.resolve("memory.oom_control");
    if (ControlFiles.readKey(control, "oom_kill_disable").orElse(0) != 0) {
      ControlFiles.write(control, "0");
    }
  }

  private void writeCpuset(Path cpuset, String requested) throws CgroupException {
    Path parent = cpuset.getParent();
    Path parentCpusFile = parent.resolve("cpuset.effective_cpus");
    if (!Files.exists(parentCpusFile)) {
      parentCpusFile = parent.resolve("cpuset.cpus");
    }
    CpuList allowed = CpuList.parse(ControlFiles.read(parentCpusFile));
    CpuList wanted = CpuList.parse(requested);
    if (!wanted.isSubsetOf(allowed)) {
      throw new CgroupException(
          "cpuset \""
              + requested
              + "\" is not within the CPUs this JVM may use (\""
              + allowed
              + "\" in "
              + parentCpusFile
              + "). Ask only for CPUs from that list.");
    }
    // a new v1 cpuset group starts with no memory nodes, and attaching to it fails until set
    String mems = ControlFiles.read(parent.resolve("cpuset.mems")).strip();
    if (mems.isEmpty() && Files.exists(parent.resolve("cpuset.effective_mems"))) {
      mems = ControlFiles.read(parent.resolve("cpuset.effective_mems")).strip();
    }
    ControlFiles.write(cpuset.resolve("cpuset.mems"), mems);
    ControlFiles.write(cpuset.resolve("cpuset.cpus"), wanted.toString());
  }

  private void want(Map<String, Hierarchy> wanted, String controller, boolean needed) {
    if (needed) {
      layout.v1With(controller).ifPresent(h -> wanted.put(controller, h));
    }
  }

  private void requireFor(boolean asked, String controller, String what) throws CgroupException {
    if (asked && layout.v1With(controller).isEmpty()) {
      throw new CgroupException(
          "cannot apply "
              + what
              + ": the "
              + controller
              + " controller is not mounted ("
              + describe()
              + "). Mount it"
              + " (e.g. mount -t cgroup -o "
              + controller
              + " cgroup /sys/fs/cgroup/"
              + controller
              + ") or remove the limit.");
    }
  }

  static void checkName(String name) {
    if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
      throw new IllegalArgumentException("invalid cgroup name \"" + name + "\"");
    }
  }

  @Override
  public int sweepOrphans() {
    Set<String> names = new LinkedHashSet<>();
    for (Hierarchy h : hierarchiesInUse()) {
      names.addAll(orphanNames(h.ownGroup()));
    }
    int swept = 0;
    for (String name : names) {
      Map<String, Path> byController = new LinkedHashMap<>();
      for (Hierarchy h : layout.v1()) {
        Path dir = h.ownGroup().resolve(name);
        if (Files.isDirectory(dir)) {
          h.controllers().stream().filter(USED::contains).forEach(c -> byController.put(c, dir));
        }
      }
      Optional<Path> unified =
          layout.unified().map(u -> u.ownGroup().resolve(name)).filter(Files::isDirectory);
      V1Cgroup orphan = new V1Cgroup(name, byController, unified);
      byController.values().stream().distinct().forEach(orphan::created);
      unified.ifPresent(orphan::created);
      try {
        orphan.close();
        swept++;
      } catch (IllegalStateException e) {
        // still busy: the next sweep tries again
      }
    }
    return swept;
  }

  private List<Hierarchy> hierarchiesInUse() {
    Stream<Hierarchy> v1 =
        layout.v1().stream().filter(h -> h.controllers().stream().anyMatch(USED::contains));
    return Stream.concat(v1, layout.unified().stream()).toList();
  }

  static Set<String> orphanNames(Path parent) {
    Set<String> names = new LinkedHashSet<>();
    try (Stream<Path> children = Files.list(parent)) {
      children
          .filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(
              n -> CgroupNames.isOurs(n) && !CgroupNames.isJvmLeaf(n) && !CgroupNames.ownerAlive(n))
          .forEach(names::add);
    } catch (IOException e) {
      // hierarchy not readable: nothing we could sweep there
    }
    return names;
  }
}
