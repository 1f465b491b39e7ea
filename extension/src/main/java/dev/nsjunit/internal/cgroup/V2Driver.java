package dev.nsjunit.internal.cgroup;

import dev.nsjunit.internal.cgroup.CgroupLayout.Hierarchy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * cgroup v2 (unified). Test groups are children of one parent cgroup P: this JVM's cgroup, or a
 * delegated cgroup named by {@value CgroupDriver#PARENT_PROPERTY}. The kernel lets P hand
 * controllers to children only while P holds no processes ("no internal processes"), so when P
 * holds just this JVM, the JVM first moves itself into a leaf below P.
 */
final class V2Driver implements CgroupDriver {
  /** Enabled for usage numbers even when no limit asks for them; cpuset only when asked. */
  private static final Set<String> USAGE_CONTROLLERS = Set.of("memory", "pids", "cpu");

  private final Hierarchy unified;
  private final Path fsRoot;
  private final long selfPid;
  private final Optional<Path> delegatedParent;

  V2Driver(Hierarchy unified, Path fsRoot, long selfPid, Optional<Path> delegatedParent) {
    this.unified = unified;
    this.fsRoot = fsRoot;
    this.selfPid = selfPid;
    this.delegatedParent = delegatedParent;
  }

  /**
   * What must happen before test groups can be created below {@code parent}.
   *
   * @param moveSelfInto leaf this JVM moves into first, so that {@code parent} holds no process
   * @param enable controllers to add to {@code parent}'s cgroup.subtree_control
   * @param usable controllers test groups will have once the plan is carried out
   */
  record Plan(Path parent, Optional<Path> moveSelfInto, Set<String> enable, Set<String> usable) {}

  @Override
  public String describe() {
    String own = "this JVM's group " + unified.ownGroup();
    String parent = delegatedParent.map(p -> ", delegated parent " + p + " (" + PARENT_PROPERTY + ")").orElse("");
    return "cgroup v2 (unified at " + unified.mountPoint() + "; " + own + parent + ")";
  }

  /** Decides, from the files only, how to get a parent for test groups. Writes nothing. */
  Plan plan(Set<String> required) throws CgroupException {
    boolean configured = delegatedParent.isPresent();
    Path base = configured ? configuredParent() : ownParent();
    Set<String> available = words(base.resolve("cgroup.controllers"));
    Set<String> missing = new TreeSet<>(required);
    missing.removeAll(available);
    if (!missing.isEmpty()) {
      throw notDelegated(base, missing, available);
    }
    Set<String> subtree = words(base.resolve("cgroup.subtree_control"));
    Set<String> wanted = new TreeSet<>(required);
    USAGE_CONTROLLERS.stream().filter(available::contains).forEach(wanted::add);
    Set<String> enable = new TreeSet<>(wanted);
    enable.removeAll(subtree);
    if (enable.isEmpty()) {
      return new Plan(base, Optional.empty(), Set.of(), wanted);
    }
    List<Long> procs = ControlFiles.procs(base);
    if (procs.isEmpty()) {
      return new Plan(base, Optional.empty(), enable, wanted);
    }
    if (configured) {
      throw new CgroupException(
          "the cgroup " + base + " named by " + PARENT_PROPERTY + " holds processes (" + describeProcesses(procs) + "), so"
              + " the kernel will not enable the " + String.join(", ", enable) + " controller(s) for groups below it (the"
              + " no-internal-processes rule). Prepare an empty cgroup for nsjunit: mkdir it, write \"+"
              + String.join(" +", enable) + "\" to its cgroup.subtree_control, and start no process in it.");
    }
    if (procs.equals(List.of(selfPid))) {
      return new Plan(base, Optional.of(base.resolve(leafName())), enable, wanted);
    }
    Set<String> requiredMissing = new TreeSet<>(required);
    requiredMissing.removeAll(subtree);
    if (requiredMissing.isEmpty()) {
      // the limits asked for are available; only usage counters are missing, and those we can do without
      Set<String> usable = new TreeSet<>(wanted);
      usable.retainAll(subtree);
      return new Plan(base, Optional.empty(), Set.of(), usable);
    }
    throw holdsOtherProcesses(base, requiredMissing, procs);
  }

  private Path ownParent() {
    Path own = unified.ownGroup();
    String name = own.getFileName() == null ? "" : own.getFileName().toString();
    // a JVM that already moved itself into its leaf keeps using the leaf's parent
    if (name.startsWith(CgroupNames.JVM_LEAF_PREFIX + selfPid + "-") && !own.equals(unified.mountPoint())) {
      return own.getParent();
    }
    return own;
  }

  private Path configuredParent() throws CgroupException {
    Path given = delegatedParent.orElseThrow();
    Path p = given.isAbsolute() && !fsRoot.equals(Path.of("/")) ? fsRoot.resolve(given.toString().substring(1)) : given;
    p = p.toAbsolutePath().normalize();
    if (!p.startsWith(unified.mountPoint()) || !Files.isRegularFile(p.resolve("cgroup.controllers"))) {
      throw new CgroupException(
          PARENT_PROPERTY + "=" + given + " is not a cgroup in the cgroup2 hierarchy mounted at " + unified.mountPoint()
              + ". Name an existing, delegated v2 cgroup directory, e.g. -D" + PARENT_PROPERTY + "=" + unified.mountPoint()
              + "/ci-tests.");
    }
    return p;
  }

  private String leafName() {
    Optional<ProcessHandle> self = ProcessHandle.of(selfPid);
    String tag = self.map(CgroupNames::ownerTag).orElse(selfPid + "-0");
    return CgroupNames.JVM_LEAF_PREFIX + tag;
  }

  private CgroupException notDelegated(Path base, Set<String> missing, Set<String> available) {
    return new CgroupException(
        "cannot apply cgroup limits: the " + String.join(", ", missing) + " controller(s) are not delegated to " + base
            + " (its cgroup.controllers lists \"" + String.join(" ", available) + "\"). The parent cgroup must enable them"
            + " in its cgroup.subtree_control. systemd: run the tests in a unit with Delegate=yes (systemd-run --scope -p"
            + " Delegate=yes ...); Docker: --cgroupns=private (the default on cgroup v2 hosts) with the controllers"
            + " enabled on the host; Kubernetes and GitHub Actions runners normally delegate memory, cpu and pids but not"
            + " cpuset, so drop a cpuset limit there. Or set " + PARENT_PROPERTY + " to a cgroup that has them.");
  }

  private CgroupException holdsOtherProcesses(Path base, Set<String> enable, List<Long> procs) {
    return new CgroupException(
        "cannot enable the " + String.join(", ", enable) + " controller(s) for test cgroups below " + base + ": it holds"
            + " processes other than this JVM (pid " + selfPid + "): " + describeProcesses(procs) + ". The kernel allows"
            + " controllers for child groups only in a cgroup without processes, and nsjunit never moves processes it did"
            + " not start. Fixes: run the test JVM alone in its cgroup (systemd-run --scope -p Delegate=yes java ...;"
            + " Docker --cgroupns=private with the JVM as the only process), or prepare a delegated cgroup (mkdir"
            + " /sys/fs/cgroup/ci-tests, echo \"+" + String.join(" +", suggested(enable)) + "\" > /sys/fs/cgroup/ci-tests/cgroup.subtree_control,"
            + " with the same controllers enabled in its parents) and set -D" + PARENT_PROPERTY + "=/sys/fs/cgroup/<path>. Maven runs"
            + " Surefire's fork in its own cgroup, so with Maven the delegated cgroup is the usual fix.");
  }

  private static Set<String> suggested(Set<String> enable) {
    Set<String> all = new TreeSet<>(USAGE_CONTROLLERS);
    all.addAll(enable);
    return all;
  }

  private String describeProcesses(List<Long> procs) {
    String shown =
        procs.stream().limit(5).map(pid -> pid + " (" + comm(pid) + ")").collect(Collectors.joining(", "));
    return procs.size() > 5 ? shown + " and " + (procs.size() - 5) + " more" : shown;
  }

  private String comm(long pid) {
    try {
      return Files.readString(fsRoot.resolve("proc/" + pid + "/comm")).strip();
    } catch (IOException e) {
      return "?";
    }
  }

  private static Set<String> words(Path file) throws CgroupException {
    String text = ControlFiles.read(file).strip();
    return text.isEmpty() ? Set.of() : new LinkedHashSet<>(List.of(text.split("\\s+")));
  }

  /** Carries out the plan; synchronized because the JVM moves itself at most once. */
  private synchronized Plan prepare(Set<String> required) throws CgroupException {
    Plan plan = plan(required);
    if (plan.moveSelfInto.isPresent()) {
      Path leaf = plan.moveSelfInto.get();
      if (!Files.isDirectory(leaf)) {
        ControlFiles.makeGroup(leaf);
      }
      ControlFiles.write(leaf.resolve("cgroup.procs"), Long.toString(selfPid));
    }
    if (!plan.enable.isEmpty()) {
      String change = plan.enable.stream().map(c -> "+" + c).collect(Collectors.joining(" "));
      try {
        ControlFiles.write(plan.parent.resolve("cgroup.subtree_control"), change);
      } catch (CgroupException e) {
        List<Long> now = ControlFiles.procs(plan.parent);
        if (!now.isEmpty()) {
          throw holdsOtherProcesses(plan.parent, plan.enable, now);
        }
        throw e;
      }
    }
    return plan;
  }

  @Override
  public TestCgroup create(String name, CgroupLimits limits) throws CgroupException {
    V1Driver.checkName(name);
    Set<String> required = new TreeSet<>();
    limits.memoryBytes().ifPresent(b -> required.add("memory"));
    limits.cpus().ifPresent(c -> required.add("cpu"));
    limits.cpuset().ifPresent(c -> required.add("cpuset"));
    limits.pids().ifPresent(p -> required.add("pids"));
    Plan plan = prepare(required);

    Path dir = plan.parent.resolve(name);
    ControlFiles.makeGroup(dir);
    V2Cgroup group = new V2Cgroup(name, dir);
    try {
      writeLimits(dir, plan.parent, limits);
    } catch (CgroupException | RuntimeException e) {
      MeasuredGroup.abandon(group, e);
      throw e;
    }
    return group;
  }

  private static void writeLimits(Path dir, Path parent, CgroupLimits limits) throws CgroupException {
    if (limits.memoryBytes().isPresent()) {
      ControlFiles.write(dir.resolve("memory.max"), Long.toString(limits.memoryBytes().getAsLong()));
      Path swap = dir.resolve("memory.swap.max");
      if (Files.exists(swap)) {
        ControlFiles.write(swap, Long.toString(limits.swapBeyondMemory()));
      } else if (limits.swapBeyondMemory() > 0) {
        throw new CgroupException(
            "cannot limit swap: " + swap + " does not exist (the kernel has no swap accounting). Drop the swap limit.");
      }
      // without memory.swap.max the kernel has no swap accounting and, on hosts with swap, a group
      // could page out beyond memory.max; the machines this project targets run without swap
    }
    if (limits.cpus().isPresent()) {
      ControlFiles.write(dir.resolve("cpu.max"), limits.cpuQuotaMicros() + " " + CgroupLimits.CPU_PERIOD_MICROS);
    }
    if (limits.cpuset().isPresent()) {
      Path parentCpus = parent.resolve("cpuset.cpus.effective");
      CpuList allowed = CpuList.parse(ControlFiles.read(parentCpus));
      CpuList wanted = CpuList.parse(limits.cpuset().get());
      if (!wanted.isSubsetOf(allowed)) {
        throw new CgroupException(
            "cpuset \"" + limits.cpuset().get() + "\" is not within the CPUs this JVM may use (\"" + allowed + "\" in "
                + parentCpus + "). Ask only for CPUs from that list.");
      }
      ControlFiles.write(dir.resolve("cpuset.cpus"), wanted.toString());
    }
    if (limits.pids().isPresent()) {
      ControlFiles.write(dir.resolve("pids.max"), Long.toString(limits.pids().getAsLong()));
    }
  }

  @Override
  public int sweepOrphans() {
    Path base;
    try {
      base = delegatedParent.isPresent() ? configuredParent() : ownParent();
    } catch (CgroupException e) {
      return 0;
    }
    int swept = 0;
    for (String name : V1Driver.orphanNames(base)) {
      try {
        new V2Cgroup(name, base.resolve(name)).close();
        swept++;
      } catch (IllegalStateException e) {
        // still busy: the next sweep tries again
      }
    }
    // leaves of dead JVMs: removed only when empty, their processes were not started by us
    try (Stream<Path> children = Files.list(base)) {
      for (Path leaf : children.filter(p -> CgroupNames.isJvmLeaf(p.getFileName().toString())).toList()) {
        if (!CgroupNames.ownerAlive(leaf.getFileName().toString())) {
          try {
            if (ControlFiles.procs(leaf).isEmpty()) {
              GroupRemoval.removeTree(leaf);
              swept++;
            }
          } catch (CgroupException e) {
            // busy or gone
          }
        }
      }
    } catch (IOException e) {
      // not listable: nothing to sweep
    }
    return swept;
  }
}
