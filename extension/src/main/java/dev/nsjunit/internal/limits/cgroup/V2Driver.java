package dev.nsjunit.internal.limits.cgroup;

import dev.nsjunit.internal.cleanup.Janitor;
import dev.nsjunit.internal.cleanup.JvmExit;
import dev.nsjunit.internal.limits.cgroup.CgroupLayout.Hierarchy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * cgroup v2 (unified). Test groups are children of one parent cgroup, their home. The kernel lets a
 * cgroup hand controllers to children only while it holds no processes ("no internal processes"),
 * so where the home is depends on who shares this JVM's cgroup ({@link CgroupPlacement}):
 *
 * <ul>
 *   <li>a delegated cgroup named by {@value CgroupDriver#PARENT_PROPERTY}, when set;
 *   <li>this JVM's own cgroup, when the controllers are already enabled there, when the JVM is the
 *       only process there (it first moves itself into a leaf), or when it is the hierarchy's root;
 *   <li>else a systemd scope with {@code Delegate=yes} where systemd manages this system ({@link
 *       SystemdScope});
 *   <li>else this JVM's cgroup after every process in it moved into a leaf ({@link
 *       SharedCgroupLeaf}).
 * </ul>
 *
 * The last two act on things nsjunit did not create: each says so in one line on stderr, undoes it
 * when this JVM ends, and can be turned off with {@value CgroupPlacement#PROPERTY}{@code =own}.
 */
final class V2Driver implements CgroupDriver {
  /** Enabled for usage numbers even when no limit asks for them; cpuset only when asked. */
  private static final Set<String> USAGE_CONTROLLERS = Set.of("memory", "pids", "cpu");

  private final Hierarchy unified;
  private final Path fsRoot;
  private final long selfPid;
  private final Optional<Path> delegatedParent;
  private final CgroupSettings settings;
  private final SystemdScope.Systemd systemd;

  /** Where test groups go once a systemd scope or the shared-cgroup leaf was chosen; null: own. */
  private Home home;

  private boolean ownLeafRestoreRegistered;

  V2Driver(Hierarchy unified, Path fsRoot, long selfPid, CgroupSettings settings) {
    this.unified = unified;
    this.fsRoot = fsRoot;
    this.selfPid = selfPid;
    this.delegatedParent = settings.delegatedParent();
    this.settings = settings;
    this.systemd = SystemdScope.Systemd.detect(fsRoot, isRoot());
  }

  /** The controllers test groups get when {@code required} are asked for. */
  static Set<String> usableControllers(Set<String> required) {
    Set<String> all = new TreeSet<>(USAGE_CONTROLLERS);
    all.addAll(required);
    return all;
  }

  private static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[2].equals("0"); // effective uid
        }
      }
    } catch (IOException e) {
      // not Linux: nothing here works anyway
    }
    return false;
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
    String parent =
        delegatedParent
            .map(p -> ", delegated parent " + p + " (" + PARENT_PROPERTY + ")")
            .orElse("");
    return "cgroup v2 (unified at " + unified.mountPoint() + "; " + own + parent + ")";
  }

  /** Decides, from the files only, how to get a parent for test groups. Writes nothing. */
  Plan plan(Set<String> required) throws CgroupException {
    boolean configured = delegatedParent.isPresent();
    Path base = configured ? configuredParent() : ownParent();
    Set<String> available = ControlFiles.words(base.resolve("cgroup.controllers"));
    Set<String> missing = new TreeSet<>(required);
    missing.removeAll(available);
    if (!missing.isEmpty()) {
      throw notDelegated(base, missing, available);
    }
    Set<String> subtree = ControlFiles.words(base.resolve("cgroup.subtree_control"));
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
          "the cgroup "
              + base
              + " named by "
              + PARENT_PROPERTY
              + " holds processes ("
              + describeProcesses(procs)
              + "), so"
              + " the kernel will not enable the "
              + String.join(", ", enable)
              + " controller(s) for groups below it (the"
              + " no-internal-processes rule). Prepare an empty cgroup for nsjunit: mkdir it, write \"+"
              + String.join(" +", enable)
              + "\" to its cgroup.subtree_control, and start no process in it.");
    }
    // This JVM's janitor (a child it started to clean up after its death) belongs to it: it
    // moves into the leaf with the JVM.
    List<Long> others = new java.util.ArrayList<>(procs);
    Janitor.pid().ifPresent(j -> others.remove(Long.valueOf(j)));
    if (others.equals(List.of(selfPid))) {
      return new Plan(base, Optional.of(base.resolve(leafName())), enable, wanted);
    }
    if (!Files.exists(base.resolve("cgroup.type"))) {
      // the hierarchy's real root (not a namespace's root, which has cgroup.type): the kernel
      // exempts it from the no-internal-processes rule
      return new Plan(base, Optional.empty(), enable, wanted);
    }
    Set<String> requiredMissing = new TreeSet<>(required);
    requiredMissing.removeAll(subtree);
    if (requiredMissing.isEmpty()) {
      // the limits asked for are available; only usage counters are missing, and those we can do
      // without
      Set<String> usable = new TreeSet<>(wanted);
      usable.retainAll(subtree);
      return new Plan(base, Optional.empty(), Set.of(), usable);
    }
    throw holdsOtherProcesses(base, requiredMissing, procs);
  }

  private Path ownParent() {
    Path own = unified.ownGroup();
    String name = own.getFileName() == null ? "" : own.getFileName().toString();
    // a JVM that already moved itself into its leaf keeps using the leaf's parent, and so does one
    // that shares the leaf other processes were moved into (CgroupPlacement.LEAF)
    boolean ownLeaf = name.startsWith(CgroupNames.JVM_LEAF_PREFIX + selfPid + "-");
    if ((ownLeaf || name.equals(CgroupPlacement.LEAF_NAME)) && !own.equals(unified.mountPoint())) {
      return own.getParent();
    }
    return own;
  }

  private Path configuredParent() throws CgroupException {
    Path given = delegatedParent.orElseThrow();
    Path p =
        given.isAbsolute() && !fsRoot.equals(Path.of("/"))
            ? fsRoot.resolve(given.toString().substring(1))
            : given;
    p = p.toAbsolutePath().normalize();
    if (!p.startsWith(unified.mountPoint())
        || !Files.isRegularFile(p.resolve("cgroup.controllers"))) {
      throw new CgroupException(
          PARENT_PROPERTY
              + "="
              + given
              + " is not a cgroup in the cgroup2 hierarchy mounted at "
              + unified.mountPoint()
              + ". Name an existing, delegated v2 cgroup directory, e.g. -D"
              + PARENT_PROPERTY
              + "="
              + unified.mountPoint()
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
    String reason =
        "the "
            + String.join(", ", missing)
            + " controller(s) are not delegated to "
            + base
            + " (its cgroup.controllers lists \""
            + String.join(" ", available)
            + "\")";
    return new OwnCgroupRefusal(
        "cannot apply cgroup limits: "
            + reason
            + ". The parent cgroup must enable them in its cgroup.subtree_control."
            + " systemd: run the tests in a unit with Delegate=yes (systemd-run --scope -p Delegate=yes ...); Docker:"
            + " --cgroupns=private (the default on cgroup v2 hosts) with the controllers enabled on the host; Kubernetes and"
            + " GitHub Actions runners normally delegate memory, cpu and pids but not cpuset, so drop a cpuset limit there."
            + " Or set "
            + PARENT_PROPERTY
            + " to a cgroup that has them.",
        reason);
  }

  private CgroupException holdsOtherProcesses(Path base, Set<String> enable, List<Long> procs) {
    String reason =
        "this JVM's cgroup " + base + " holds other processes (" + describeProcesses(procs) + ")";
    return new OwnCgroupRefusal(
        "cannot enable the "
            + String.join(", ", enable)
            + " controller(s) for test cgroups below "
            + base
            + ": it holds"
            + " processes other than this JVM (pid "
            + selfPid
            + "): "
            + describeProcesses(procs)
            + ". The kernel allows"
            + " controllers for child groups only in a cgroup without processes, and with "
            + CgroupPlacement.PROPERTY
            + "=own nsjunit moves no process it did not start. Fixes: "
            + CgroupPlacement.PROPERTY
            + "=auto (the default:"
            + " a systemd scope with Delegate=yes, or the processes of that cgroup moved into a leaf); run the test JVM alone"
            + " in its cgroup; or prepare a delegated cgroup (mkdir /sys/fs/cgroup/ci-tests, echo \"+"
            + String.join(" +", suggested(enable))
            + "\" > /sys/fs/cgroup/ci-tests/cgroup.subtree_control, with the same"
            + " controllers enabled in its parents) and set -D"
            + PARENT_PROPERTY
            + "=/sys/fs/cgroup/<path>.",
        reason);
  }

  private static Set<String> suggested(Set<String> enable) {
    Set<String> all = new TreeSet<>(USAGE_CONTROLLERS);
    all.addAll(enable);
    return all;
  }

  private String describeProcesses(List<Long> procs) {
    String shown =
        procs.stream()
            .limit(5)
            .map(pid -> ControlFiles.describePid(fsRoot, pid))
            .collect(Collectors.joining(", "));
    return procs.size() > 5 ? shown + " and " + (procs.size() - 5) + " more" : shown;
  }

  /** Carries out the own-cgroup plan; the caller holds this driver's monitor. */
  private Plan carryOut(Plan plan) throws CgroupException {
    if (plan.moveSelfInto.isPresent()) {
      Path leaf = plan.moveSelfInto.get();
      if (!Files.isDirectory(leaf)) {
        ControlFiles.makeGroup(leaf);
      }
      ControlFiles.write(leaf.resolve("cgroup.procs"), Long.toString(selfPid));
      OptionalLong janitor = Janitor.pid();
      if (janitor.isPresent() && ControlFiles.procs(plan.parent).contains(janitor.getAsLong())) {
        ControlFiles.write(leaf.resolve("cgroup.procs"), Long.toString(janitor.getAsLong()));
      }
      if (!ownLeafRestoreRegistered) {
        ownLeafRestoreRegistered = true;
        // at exit: controllers off, this JVM back where it was, its leaf gone (the cgroup held
        // only this JVM before, so nothing else enabled those controllers)
        SharedCgroupLeaf own =
            new SharedCgroupLeaf(plan.parent, leaf.getFileName().toString(), fsRoot);
        JvmExit.JVM.at(
            JvmExit.Stage.CGROUP_PLACEMENT,
            () -> {
              try (DirectoryLock lock = own.lock()) {
                sweep(plan.parent);
                own.restore();
              } catch (CgroupException | RuntimeException e) {
                // left for the next run's sweep, which removes empty leaves of dead JVMs
              }
            });
      }
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

  /**
   * Where test groups go (systemd scope, shared-cgroup leaf) when this JVM's own cgroup cannot take
   * them. {@link #guard} makes the home ready for one more group and keeps it so until closed.
   */
  private interface Home {
    Path parent();

    AutoCloseable guard(Set<String> required) throws CgroupException;

    /** Undoes what the placement did, when this JVM ends. */
    void restore();
  }

  private static final AutoCloseable NOTHING_TO_RELEASE = () -> {};

  /** The parent for the next test group, made ready for {@code required}; see the class comment. */
  private synchronized Path parentFor(Set<String> required, List<AutoCloseable> release)
      throws CgroupException {
    if (home != null) {
      release.add(home.guard(required));
      return home.parent();
    }
    if (leafInUse() && settings.placement() != CgroupPlacement.OWN && delegatedParent.isEmpty()) {
      // another test JVM of this build moved the processes of our cgroup into the leaf already
      home = leafHome(ownParent(), false);
      restoreAtExit(home);
      release.add(home.guard(required));
      return home.parent();
    }
    String ownProblem;
    try {
      return carryOut(plan(required)).parent;
    } catch (CgroupException e) {
      if (delegatedParent.isPresent() || settings.placement() == CgroupPlacement.OWN) {
        throw e;
      }
      ownProblem = e instanceof OwnCgroupRefusal refusal ? refusal.reason() : e.getMessage();
    }
    CgroupPlacement placement = settings.placement();
    if (placement == CgroupPlacement.SYSTEMD
        || (placement == CgroupPlacement.AUTO && systemd.usable())) {
      try {
        home = scopeHome(required);
      } catch (CgroupException e) {
        throw unplaceable(
            ownProblem, "asking systemd for a delegated scope failed: " + e.getMessage(), e);
      }
    } else {
      Home leaf = leafHome(ownParent(), true);
      try {
        release.add(
            leaf.guard(required)); // moves the processes now, so that a failure is explained here
      } catch (CgroupException e) {
        throw unplaceable(
            ownProblem,
            "moving the processes of " + ownParent() + " into a leaf failed: " + e.getMessage(),
            e);
      }
      home = leaf;
      restoreAtExit(home);
      return home.parent();
    }
    restoreAtExit(home);
    release.add(home.guard(required));
    return home.parent();
  }

  private boolean leafInUse() {
    return Files.isDirectory(ownParent().resolve(CgroupPlacement.LEAF_NAME));
  }

  private Home leafHome(Path cgroup, boolean announceMoves) {
    SharedCgroupLeaf shared = new SharedCgroupLeaf(cgroup, fsRoot);
    return new Home() {
      private boolean told = !announceMoves;

      @Override
      public Path parent() {
        return cgroup;
      }

      @Override
      public AutoCloseable guard(Set<String> required) throws CgroupException {
        DirectoryLock lock = shared.lock();
        try {
          SharedCgroupLeaf.Moved moved = shared.prepare(usable(cgroup, required));
          if (!told && moved.changedAnything()) {
            told = true;
            System.err.println(
                "nsjunit: moved the processes of cgroup "
                    + cgroup
                    + " ("
                    + String.join(", ", moved.processes())
                    + ") into "
                    + shared.leaf()
                    + " and enabled "
                    + String.join(", ", moved.enabled())
                    + " there, so test cgroups"
                    + " can be created below it ("
                    + CgroupPlacement.PROPERTY
                    + "="
                    + settings.placement().value()
                    + "; they move"
                    + " back when the last test JVM there ends; "
                    + CgroupPlacement.PROPERTY
                    + "=own turns this off)");
          }
          return lock;
        } catch (CgroupException | RuntimeException e) {
          lock.close();
          throw e;
        }
      }

      @Override
      public void restore() {
        try (DirectoryLock lock = shared.lock()) {
          sweep(cgroup);
          shared.restore();
        } catch (CgroupException | RuntimeException e) {
          // the next test JVM here finds the leaf and uses it; nothing is lost
        }
      }
    };
  }

  private Home scopeHome(Set<String> required) throws CgroupException {
    String unit =
        CgroupNames.PREFIX
            + ProcessHandle.of(selfPid).map(CgroupNames::ownerTag).orElse(selfPid + "-0");
    SystemdScope scope =
        SystemdScope.start(
            systemd, unit, settings.holderCommand().get(), required, unified::directoryOf, fsRoot);
    System.err.println(
        "nsjunit: test cgroups go into the systemd scope "
            + scope.unit()
            + " ("
            + scope.dir()
            + ", Delegate=yes): this JVM's cgroup "
            + ownParent()
            + " holds other processes and systemd manages it ("
            + CgroupPlacement.PROPERTY
            + "="
            + settings.placement().value()
            + "; systemd removes the scope when this JVM ends; "
            + CgroupPlacement.PROPERTY
            + "=own turns this off)");
    return new Home() {
      @Override
      public Path parent() {
        return scope.dir();
      }

      @Override
      public AutoCloseable guard(Set<String> required) throws CgroupException {
        Set<String> enabled = ControlFiles.words(scope.dir().resolve("cgroup.subtree_control"));
        Set<String> missing = new TreeSet<>(required);
        missing.removeAll(enabled);
        if (!missing.isEmpty()) {
          Set<String> available = ControlFiles.words(scope.dir().resolve("cgroup.controllers"));
          if (!available.containsAll(missing)) {
            throw notDelegated(scope.dir(), missing, available);
          }
          ControlFiles.write(
              scope.dir().resolve("cgroup.subtree_control"),
              missing.stream().map(c -> "+" + c).collect(Collectors.joining(" ")));
        }
        return NOTHING_TO_RELEASE;
      }

      @Override
      public void restore() {
        scope.close();
      }
    };
  }

  private static void restoreAtExit(Home chosen) {
    JvmExit.JVM.at(JvmExit.Stage.CGROUP_PLACEMENT, chosen::restore);
  }

  /**
   * The controllers a group below {@code parent} will use: the required ones plus the usage ones
   * available.
   */
  private static Set<String> usable(Path parent, Set<String> required) throws CgroupException {
    Set<String> wanted = new TreeSet<>(required);
    Set<String> available = ControlFiles.words(parent.resolve("cgroup.controllers"));
    USAGE_CONTROLLERS.stream().filter(available::contains).forEach(wanted::add);
    return wanted;
  }

  /** No placement worked: the reasons, and the fix for the kind of place this is. */
  private CgroupException unplaceable(
      String ownProblem, String placementProblem, CgroupException cause) {
    String place;
    String fix;
    if (systemd.usable()) {
      place = "a systemd host";
      fix =
          "check that `"
              + systemd.systemdRun().get()
              + (systemd.userManager() ? " --user" : "")
              + " --scope -p Delegate=yes true` works for this user; or set "
              + CgroupPlacement.PROPERTY
              + "=leaf to move the"
              + " processes of this JVM's cgroup into a leaf instead; or run the build in a unit of its own with Delegate=yes"
              + " (systemd-run --pipe --wait -p Delegate=yes mvn verify) and set "
              + CgroupPlacement.PROPERTY
              + "=leaf";
    } else if (inContainer()) {
      place = "a container";
      fix =
          "run the container privileged with a writable cgroup file system and a cgroup namespace of its own (Docker,"
              + " Podman: --privileged, the default --cgroupns=private on cgroup v2 hosts; Kubernetes:"
              + " securityContext.privileged: true)";
    } else {
      place = "a cgroup v2 host without systemd";
      fix =
          "enable the controllers for this JVM's cgroup in its parents' cgroup.subtree_control, or prepare an empty"
              + " delegated cgroup and set -D"
              + PARENT_PROPERTY
              + "=/sys/fs/cgroup/<path>";
    }
    return new CgroupException(
        "cannot place test cgroups on "
            + place
            + ": "
            + ownProblem
            + "; then "
            + placementProblem
            + " Fix: "
            + fix
            + ". Or set "
            + PARENT_PROPERTY
            + " to a delegated, empty cgroup. Tests without @CgroupLimit are not"
            + " affected; nsjunit.unprivileged=skip skips the limited ones.",
        cause);
  }

  /** A cgroup namespace's root that is not the hierarchy's root, or a container's marker files. */
  private boolean inContainer() {
    boolean namespaceRoot =
        unified.ownGroup().equals(unified.mountPoint())
            && Files.exists(unified.ownGroup().resolve("cgroup.type"));
    return namespaceRoot
        || Files.exists(fsRoot.resolve(".dockerenv"))
        || Files.exists(fsRoot.resolve("run/.containerenv"))
        || System.getenv("KUBERNETES_SERVICE_HOST") != null;
  }

  @Override
  public TestCgroup create(String name, CgroupLimits limits) throws CgroupException {
    V1Driver.checkName(name);
    Set<String> required = new TreeSet<>();
    limits.memoryBytes().ifPresent(b -> required.add("memory"));
    limits.cpus().ifPresent(c -> required.add("cpu"));
    limits.cpuset().ifPresent(c -> required.add("cpuset"));
    limits.pids().ifPresent(p -> required.add("pids"));
    List<AutoCloseable> release = new java.util.ArrayList<>();
    try {
      Path parent = parentFor(required, release);
      Path dir = parent.resolve(name);
      Janitor.watchCgroup(dir);
      ControlFiles.makeGroup(dir);
      V2Cgroup group = new V2Cgroup(name, dir);
      try {
        writeLimits(dir, parent, limits);
      } catch (CgroupException | RuntimeException e) {
        MeasuredGroup.abandon(group, e);
        throw e;
      }
      return group;
    } finally {
      // once the group exists, no other JVM undoes the placement under it
      for (AutoCloseable r : release) {
        try {
          r.close();
        } catch (Exception ignored) {
          // a lock's close only closes a descriptor
        }
      }
    }
  }

  private static void writeLimits(Path dir, Path parent, CgroupLimits limits)
      throws CgroupException {
    if (limits.memoryBytes().isPresent()) {
      ControlFiles.write(
          dir.resolve("memory.max"), Long.toString(limits.memoryBytes().getAsLong()));
      Path swap = dir.resolve("memory.swap.max");
      if (Files.exists(swap)) {
        ControlFiles.write(swap, Long.toString(limits.swapBeyondMemory()));
      } else if (limits.swapBeyondMemory() > 0) {
        throw new CgroupException(
            "cannot limit swap: "
                + swap
                + " does not exist (the kernel has no swap accounting). Drop the swap limit.");
      }
      // without memory.swap.max the kernel has no swap accounting and, on hosts with swap, a group
      // could page out beyond memory.max; the machines this project targets run without swap
    }
    if (limits.cpus().isPresent()) {
      ControlFiles.write(
          dir.resolve("cpu.max"), limits.cpuQuotaMicros() + " " + CgroupLimits.CPU_PERIOD_MICROS);
    }
    if (limits.cpuset().isPresent()) {
      Path parentCpus = parent.resolve("cpuset.cpus.effective");
      CpuList allowed = CpuList.parse(ControlFiles.read(parentCpus));
      CpuList wanted = CpuList.parse(limits.cpuset().get());
      if (!wanted.isSubsetOf(allowed)) {
        throw new CgroupException(
            "cpuset \""
                + limits.cpuset().get()
                + "\" is not within the CPUs this JVM may use (\""
                + allowed
                + "\" in "
                + parentCpus
                + "). Ask only for CPUs from that list.");
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
    return sweep(base);
  }

  /** Removes groups of dead JVMs below {@code base}; see {@link CgroupDriver#sweepOrphans()}. */
  private static int sweep(Path base) {
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
      for (Path leaf :
          children.filter(p -> CgroupNames.isJvmLeaf(p.getFileName().toString())).toList()) {
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
