package dev.nsjunit.internal.limits;

import dev.nsjunit.CgroupLimit;
import dev.nsjunit.ExpectOomKill;
import dev.nsjunit.Rlimit;
import dev.nsjunit.SandboxFailedException;
import dev.nsjunit.SandboxFailedException.Reason;
import dev.nsjunit.TmpFs;
import dev.nsjunit.internal.launcher.LauncherOption;
import dev.nsjunit.internal.limits.cgroup.CgroupLimits;
import dev.nsjunit.internal.limits.cgroup.TestCgroup;
import dev.nsjunit.internal.namespaces.Namespace;
import dev.nsjunit.internal.namespaces.PrivilegeProbe;
import dev.nsjunit.internal.run.SandboxFeature;
import dev.nsjunit.internal.run.SandboxSetup;
import dev.nsjunit.internal.run.Teardown;
import dev.nsjunit.internal.spec.AnnotationChain;
import dev.nsjunit.internal.spec.Attribute;
import dev.nsjunit.internal.spec.SandboxSpec;
import dev.nsjunit.internal.spec.SandboxSpec.TmpFsMount;
import dev.nsjunit.internal.spec.SizeText;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Resource limits: the test's cgroup ({@code @CgroupLimit}, with {@code @ExpectOomKill} judged from
 * its OOM count), rlimits set before exec ({@code @Rlimit}) and size-limited tmpfs mounts
 * ({@code @TmpFs}). Everything that can be refused is refused before anything is created.
 */
public final class LimitsFeature implements SandboxFeature {
  private static final Pattern CPU_LIST =
      Pattern.compile("\\d{1,4}(-\\d{1,4})?(,\\d{1,4}(-\\d{1,4})?)*");
  private static final Pattern CPUS = Pattern.compile("\\d{1,4}(\\.\\d{1,6})?");
  private static final List<String> FORBIDDEN_TMPFS_ROOTS = List.of("/proc", "/sys", "/dev");

  @Override
  public List<Class<? extends Annotation>> annotations() {
    return List.of(
        CgroupLimit.class, ExpectOomKill.class, TmpFs.class, TmpFs.List.class, Rlimit.class);
  }

  @Override
  public void read(AnnotationChain chain, SandboxSpec.Builder spec) {
    CgroupLimits limits = null;
    for (AnnotatedElement element : chain.elements()) {
      Optional<CgroupLimit> cgroup = AnnotationSupport.findAnnotation(element, CgroupLimit.class);
      if (cgroup.isPresent() && limits == null) {
        limits = limits(cgroup.get());
      }
      spec.expectOomKill |= AnnotationSupport.isAnnotated(element, ExpectOomKill.class);
      for (TmpFs t : AnnotationSupport.findRepeatableAnnotations(element, TmpFs.class)) {
        TmpFsMount mount = tmpfs(t);
        if (spec.tmpfs.stream().noneMatch(m -> m.path().equals(mount.path()))) {
          spec.tmpfs.add(mount); // nearest declaration of a path wins
        }
      }
      Optional<Rlimit> rlimit = AnnotationSupport.findAnnotation(element, Rlimit.class);
      if (rlimit.isPresent()) {
        putRlimit(spec.rlimits, "nofile", rlimit.get().nofile());
        putRlimit(spec.rlimits, "nproc", rlimit.get().nproc());
        putRlimit(spec.rlimits, "core", rlimit.get().core());
      }
    }
    spec.limits = limits == null ? CgroupLimits.none() : limits;
    if (spec.expectOomKill && spec.limits.memoryBytes().isEmpty()) {
      throw Attribute.of(CgroupLimit.class, "memory")
          .invalid(
              "",
              "a memory limit, which @ExpectOomKill needs (for example @CgroupLimit(memory = \"64M\"))");
    }
    if (!spec.limits.isEmpty()) {
      // A cgroup namespace plus a fresh cgroupfs: the child JVM then sees its limits the way it
      // would in a container (without it, it reports the host's memory).
      spec.namespaces.add(Namespace.CGROUP);
    }
  }

  @Override
  public void prepare(SandboxSetup setup) throws IOException {
    SandboxSpec spec = setup.spec();
    Path nsjunitDirectory = setup.directory().path().getParent();
    SandboxSetup.ChildJvmPaths jvm = setup.childJvm();
    CoveredPaths.clash(spec, jvm.java(), jvm.classpath(), jvm.workingDirectory(), nsjunitDirectory)
        .ifPresent(
            clash -> {
              throw new SandboxFailedException(Reason.SETUP_FAILED, clash);
            });
    HardLimits.refused(spec.rlimits())
        .ifPresent(
            reason -> {
              throw new SandboxFailedException(Reason.SETUP_FAILED, reason);
            });
    // Limits are written before any process joins; the launcher puts the sandbox into the
    // group before it execs the JVM, so the test is limited from its first instruction.
    if (!spec.limits().isEmpty()) {
      TestCgroup cgroup = cgroup(setup);
      setup.onTeardown(Teardown.Stage.CGROUPS, cgroup::close);
      setup.measure(cgroup);
      for (Path dir : cgroup.attachDirectories()) {
        setup.launcherOption(LauncherOption.CGROUP, dir.toString());
      }
    }
    if (spec.has(Namespace.CGROUP)) {
      setup.launcherOption(LauncherOption.MOUNT_CGROUPFS);
    }
    for (TmpFsMount mount : spec.tmpfs()) {
      try {
        if (MountPoints.acquire(mount.path())) {
          setup.onTeardown(Teardown.Stage.RUN_DIRECTORY, () -> MountPoints.release(mount.path()));
        }
      } catch (IOException e) {
        throw new SandboxFailedException(
            Reason.SETUP_FAILED,
            "could not create the mount point of @TmpFs(path = \""
                + mount.path()
                + "\"): "
                + e.getMessage(),
            e);
      }
      setup.launcherOption(LauncherOption.TMPFS, mount.path() + ":" + mount.bytes());
    }
    spec.rlimits()
        .forEach((name, value) -> setup.launcherOption(LauncherOption.RLIMIT, name + "=" + value));
    for (Path kept : CoveredPaths.kept(spec, nsjunitDirectory)) {
      setup.launcherOption(LauncherOption.KEEP_PATH, kept.toString());
    }
  }

  /**
   * The test's cgroup. Without root, limits need a cgroup delegated to this user: where there is
   * none, only the tests that ask for limits fail (or are skipped with nsjunit.unprivileged=skip),
   * saying so; every other isolated test runs.
   */
  private static TestCgroup cgroup(SandboxSetup setup) {
    try {
      return SandboxCgroups.create(setup.id(), setup.spec().limits(), setup.config());
    } catch (SandboxFailedException e) {
      if (!PrivilegeProbe.rootless(setup.config())) {
        throw e;
      }
      String message =
          e.getMessage()
              + "\nThis JVM runs isolated tests as an ordinary user, in a user namespace:"
              + " @CgroupLimit then needs a cgroup v2 subtree delegated to this user (as systemd's user@UID.service"
              + " delegates memory, pids and cpu on current distributions), and none could be used here. Tests without"
              + " @CgroupLimit are not affected. Run the tests as root for limits, or set nsjunit.unprivileged=skip to"
              + " skip the tests that ask for them (see docs/ide.md).";
      // LIMITS_UNAVAILABLE: the report explains it once per class, or skips with
      // nsjunit.unprivileged=skip
      throw new SandboxFailedException(Reason.LIMITS_UNAVAILABLE, message, e);
    }
  }

  static CgroupLimits limits(CgroupLimit a) {
    CgroupLimits limits = CgroupLimits.none();
    if (!a.memory().isEmpty()) {
      limits =
          limits.withMemory(SizeText.parse(a.memory(), Attribute.of(CgroupLimit.class, "memory")));
    }
    long swap =
        SizeText.parseAllowingZero(a.memorySwap(), Attribute.of(CgroupLimit.class, "memorySwap"));
    if (swap > 0) {
      if (limits.memoryBytes().isEmpty()) {
        throw Attribute.of(CgroupLimit.class, "memorySwap")
            .invalid(
                a.memorySwap(),
                "\"0\" unless memory is set too (swap is allowed on top of the memory limit)");
      }
      limits = limits.withMemorySwap(swap);
    } else if (limits.memoryBytes().isPresent()) {
      limits = limits.withMemorySwap(0);
    }
    if (!a.cpus().isEmpty()) {
      String allowed =
          "a positive number of CPUs, for example \"0.5\", \"1\" or \"2\" (at least 0.01)";
      if (!CPUS.matcher(a.cpus().trim()).matches()) {
        throw Attribute.of(CgroupLimit.class, "cpus").invalid(a.cpus(), allowed);
      }
      double cpus = Double.parseDouble(a.cpus().trim());
      if (cpus < 0.01) {
        throw Attribute.of(CgroupLimit.class, "cpus").invalid(a.cpus(), allowed);
      }
      limits = limits.withCpus(cpus);
    }
    if (!a.cpuset().isEmpty()) {
      if (!CPU_LIST.matcher(a.cpuset().trim()).matches()) {
        throw Attribute.of(CgroupLimit.class, "cpuset")
            .invalid(
                a.cpuset(),
                "a list of CPU numbers and ranges, for example \"0\", \"0-1\" or \"0,2\"");
      }
      limits = limits.withCpuset(a.cpuset().trim());
    }
    if (a.pids() < 0) {
      throw Attribute.of(CgroupLimit.class, "pids")
          .invalid(
              Long.toString(a.pids()), "a positive maximum number of tasks, or 0 for no limit");
    }
    if (a.pids() > 0) {
      limits = limits.withPids(a.pids());
    }
    if (limits.isEmpty()) {
      throw Attribute.of(CgroupLimit.class, "memory")
          .invalid("", "at least one limit: memory, cpus, cpuset or pids");
    }
    return limits;
  }

  static TmpFsMount tmpfs(TmpFs t) {
    Attribute pathAttribute = Attribute.of(TmpFs.class, "path");
    String allowedPath =
        "an absolute directory path other than /, /proc, /sys, /dev and paths below them, without ':'";
    if (!t.path().startsWith("/") || t.path().contains(":") || t.path().contains("\0")) {
      throw pathAttribute.invalid(t.path(), allowedPath);
    }
    Path path = Path.of(t.path()).normalize();
    if (path.getNameCount() == 0 || FORBIDDEN_TMPFS_ROOTS.stream().anyMatch(path::startsWith)) {
      throw pathAttribute.invalid(t.path(), allowedPath);
    }
    return new TmpFsMount(path, SizeText.parse(t.size(), Attribute.of(TmpFs.class, "size")));
  }

  private static void putRlimit(Map<String, Long> rlimits, String name, long value) {
    if (value < -1) {
      throw Attribute.of(Rlimit.class, name)
          .invalid(Long.toString(value), "a limit of 0 or more, or -1 to leave it as inherited");
    }
    if (value >= 0) {
      rlimits.putIfAbsent(name, value); // nearest annotation wins
    }
  }
}
