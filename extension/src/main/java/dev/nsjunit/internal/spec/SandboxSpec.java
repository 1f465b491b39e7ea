package dev.nsjunit.internal.spec;

import dev.nsjunit.internal.lab.LabPlan;
import dev.nsjunit.internal.limits.cgroup.CgroupLimits;
import dev.nsjunit.internal.namespaces.Namespace;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the annotations of one test ask of its sandbox, validated. Built by {@link
 * SpecReader}; turned into a launcher command line by the launch package.
 *
 * @param namespaces namespaces to create (always at least pid and mount)
 * @param hostname hostname in a new UTS namespace
 * @param monotonicOffset CLOCK_MONOTONIC offset (zero: none)
 * @param boottimeOffset CLOCK_BOOTTIME offset (zero: none)
 * @param timeout hard limit for the whole sandbox, empty: the configured default
 * @param jvmArgs extra child JVM options from annotations
 * @param classIsolated an annotation sits on the test class (or an enclosing class), so the class's
 *     {@code @BeforeAll}/{@code @AfterAll} run only in the sandbox
 * @param limits cgroup limits ({@code @CgroupLimit}); empty: no cgroup of its own
 * @param expectOomKill {@code @ExpectOomKill}: the test passes if and only if an OOM kill happened
 * @param tmpfs private size-limited tmpfs mounts ({@code @TmpFs})
 * @param rlimits resource limits by launcher name (nofile, nproc, core), set before exec
 * @param network the {@code @Topology} host this test runs on, if any
 * @param allCapabilities {@code @AllCapabilities}: the test keeps every capability the sandbox's
 *     root has, CAP_SYS_ADMIN included (by default those that undo the isolation are dropped)
 */
public record SandboxSpec(
    Set<Namespace> namespaces,
    Optional<String> hostname,
    Duration monotonicOffset,
    Duration boottimeOffset,
    Optional<Duration> timeout,
    List<String> jvmArgs,
    boolean classIsolated,
    CgroupLimits limits,
    boolean expectOomKill,
    List<TmpFsMount> tmpfs,
    Map<String, Long> rlimits,
    Optional<LabPlan> network,
    boolean allCapabilities) {

  /** One {@code @TmpFs}: a mount point and its size in bytes. */
  public record TmpFsMount(Path path, long bytes) {}

  public SandboxSpec {
    namespaces = Set.copyOf(EnumSet.copyOf(namespaces));
    jvmArgs = List.copyOf(jvmArgs);
    tmpfs = List.copyOf(tmpfs);
    rlimits = Map.copyOf(rlimits);
  }

  public boolean has(Namespace namespace) {
    return namespaces.contains(namespace);
  }

  /**
   * The spec while the features read their annotations ({@link AnnotationReader}), in the
   * pipeline's order: a later feature may build on what an earlier one set (a lab host's sandbox
   * joins the lab's network namespace instead of getting an empty one).
   */
  public static final class Builder {
    public final Set<Namespace> namespaces = EnumSet.of(Namespace.PID, Namespace.MOUNT);
    public Optional<String> hostname = Optional.empty();

    /** The hostname when no feature set one ({@code @Sandbox} gives "sandbox"). */
    public Optional<String> defaultHostname = Optional.empty();

    public Duration monotonicOffset = Duration.ZERO;
    public Duration boottimeOffset = Duration.ZERO;
    public Optional<Duration> timeout = Optional.empty();
    public final List<String> jvmArgs = new ArrayList<>();
    public CgroupLimits limits = CgroupLimits.none();
    public boolean expectOomKill;
    public final List<TmpFsMount> tmpfs = new ArrayList<>();
    public final Map<String, Long> rlimits = new LinkedHashMap<>();
    public Optional<LabPlan> network = Optional.empty();
    public boolean allCapabilities;
    private final boolean classIsolated;

    public Builder(boolean classIsolated) {
      this.classIsolated = classIsolated;
    }

    public SandboxSpec build() {
      return new SandboxSpec(
          namespaces,
          hostname.or(() -> defaultHostname),
          monotonicOffset,
          boottimeOffset,
          timeout,
          jvmArgs,
          classIsolated,
          limits,
          expectOomKill,
          tmpfs,
          rlimits,
          network,
          allCapabilities);
    }
  }
}
