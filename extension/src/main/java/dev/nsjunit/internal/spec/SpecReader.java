package dev.nsjunit.internal.spec;

import dev.nsjunit.internal.lab.NetworkPlan;
import dev.nsjunit.internal.namespaces.Namespace;

import dev.nsjunit.AllCapabilities;
import dev.nsjunit.CgroupLimit;
import dev.nsjunit.ClockOffset;
import dev.nsjunit.ExpectOomKill;
import dev.nsjunit.FreshPid;
import dev.nsjunit.Hostname;
import dev.nsjunit.IsolatedIpc;
import dev.nsjunit.IsolatedNetns;
import dev.nsjunit.Link;
import dev.nsjunit.OnHost;
import dev.nsjunit.Rlimit;
import dev.nsjunit.Topology;
import dev.nsjunit.internal.lab.LinkSpec;
import dev.nsjunit.internal.lab.TopologySpec;
import dev.nsjunit.Sandbox;
import dev.nsjunit.TmpFs;
import dev.nsjunit.internal.limits.cgroup.CgroupLimits;
import dev.nsjunit.internal.spec.SandboxSpec.TmpFsMount;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Reads the nsjunit annotations that apply to one test and validates them into a
 * {@link SandboxSpec}.
 *
 * <p>Annotations are looked up along the test's {@link ExtensionContext} chain: the dynamic test,
 * the method (or template invocation), the test class, then every enclosing class of a
 * {@code @Nested} class. Meta-annotations and {@code @Inherited} class annotations count. Where
 * a value can only be given once (hostname, timeout), the annotation nearest to the test wins; a
 * hostname may come from {@code @Hostname} or {@code @Sandbox(hostname)}, and on the same element
 * {@code @Hostname} wins.
 */
public final class SpecReader {
  private static final List<Class<? extends Annotation>> SANDBOX_ANNOTATIONS =
      List.of(
          FreshPid.class,
          IsolatedNetns.class,
          IsolatedIpc.class,
          Hostname.class,
          ClockOffset.class,
          Sandbox.class,
          CgroupLimit.class,
          ExpectOomKill.class,
          TmpFs.class,
          TmpFs.List.class,
          Rlimit.class,
          Topology.class,
          OnHost.class,
          AllCapabilities.class);

  private static final Pattern CPU_LIST = Pattern.compile("\\d{1,4}(-\\d{1,4})?(,\\d{1,4}(-\\d{1,4})?)*");
  private static final Pattern CPUS = Pattern.compile("\\d{1,4}(\\.\\d{1,6})?");
  private static final List<String> FORBIDDEN_TMPFS_ROOTS = List.of("/proc", "/sys", "/dev");

  private static final Pattern HOSTNAME =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,62}[A-Za-z0-9])?");

  /** The hostname of a {@code @Sandbox} that gets none from anywhere. */
  static final String DEFAULT_SANDBOX_HOSTNAME = "sandbox";

  private SpecReader() {}

  /** Whether any nsjunit annotation applies to this test (or class, for class contexts). */
  public static boolean isSandboxed(ExtensionContext context) {
    for (AnnotatedElement element : elements(context)) {
      for (Class<? extends Annotation> type : SANDBOX_ANNOTATIONS) {
        if (AnnotationSupport.isAnnotated(element, type)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether an nsjunit annotation sits on a class of this context's chain (whole class isolated). */
  public static boolean isClassIsolated(ExtensionContext context) {
    for (AnnotatedElement element : elements(context)) {
      if (element instanceof Class) {
        for (Class<? extends Annotation> type : SANDBOX_ANNOTATIONS) {
          if (AnnotationSupport.isAnnotated(element, type)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Reads and validates the spec; throws ExtensionConfigurationException on a bad value. */
  public static SandboxSpec read(ExtensionContext context) {
    List<AnnotatedElement> nearestFirst = elements(context);
    Set<Namespace> namespaces = EnumSet.of(Namespace.PID, Namespace.MOUNT);
    Optional<String> hostname = Optional.empty();
    boolean sandboxAnnotated = false;
    boolean allCapabilities = false;
    Duration monotonic = null;
    Duration boottime = null;
    Optional<Duration> timeout = Optional.empty();
    List<String> jvmArgs = new ArrayList<>();
    CgroupLimits limits = null;
    boolean expectOomKill = false;
    List<TmpFsMount> tmpfs = new ArrayList<>();
    Map<String, Long> rlimits = new LinkedHashMap<>();
    Optional<Topology> topology = Optional.empty();
    Optional<Class<?>> topologyClass = Optional.empty();
    Optional<String> onHost = Optional.empty();

    for (AnnotatedElement element : nearestFirst) {
      if (topology.isEmpty()) {
        topology = AnnotationSupport.findAnnotation(element, Topology.class);
        if (topology.isPresent() && element instanceof Class) {
          topologyClass = Optional.of((Class<?>) element);
        }
      }
      if (onHost.isEmpty()) {
        onHost = AnnotationSupport.findAnnotation(element, OnHost.class).map(OnHost::value);
      }
      Optional<CgroupLimit> cgroup = AnnotationSupport.findAnnotation(element, CgroupLimit.class);
      if (cgroup.isPresent() && limits == null) {
        limits = limits(cgroup.get());
      }
      expectOomKill |= AnnotationSupport.isAnnotated(element, ExpectOomKill.class);
      for (TmpFs t : AnnotationSupport.findRepeatableAnnotations(element, TmpFs.class)) {
        TmpFsMount mount = tmpfs(t);
        if (tmpfs.stream().noneMatch(m -> m.path().equals(mount.path()))) {
          tmpfs.add(mount); // nearest declaration of a path wins
        }
      }
      Optional<Rlimit> rlimit = AnnotationSupport.findAnnotation(element, Rlimit.class);
      if (rlimit.isPresent()) {
        putRlimit(rlimits, "nofile", rlimit.get().nofile());
        putRlimit(rlimits, "nproc", rlimit.get().nproc());
        putRlimit(rlimits, "core", rlimit.get().core());
      }
      if (AnnotationSupport.isAnnotated(element, IsolatedNetns.class)) {
        namespaces.add(Namespace.NET);
      }
      if (AnnotationSupport.isAnnotated(element, IsolatedIpc.class)) {
        namespaces.add(Namespace.IPC);
      }
      allCapabilities |= AnnotationSupport.isAnnotated(element, AllCapabilities.class);
      Optional<Hostname> h = AnnotationSupport.findAnnotation(element, Hostname.class);
      if (h.isPresent()) {
        namespaces.add(Namespace.UTS);
        if (hostname.isEmpty()) {
          hostname = Optional.of(validHostname(h.get().value(), Attribute.of(Hostname.class, "value")));
        }
      }
      Optional<ClockOffset> clock = AnnotationSupport.findAnnotation(element, ClockOffset.class);
      if (clock.isPresent()) {
        namespaces.add(Namespace.TIME);
        if (monotonic == null) {
          monotonic =
              DurationText.parseOffset(
                  clock.get().monotonic(), Attribute.of(ClockOffset.class, "monotonic"));
          boottime =
              DurationText.parseOffset(
                  clock.get().boottime(), Attribute.of(ClockOffset.class, "boottime"));
          if (clock.get().monotonic().isEmpty() && clock.get().boottime().isEmpty()) {
            throw Attribute.of(ClockOffset.class, "monotonic")
                .invalid("", "at least one of monotonic or boottime set to " + DurationText.SIGNED_FORM);
          }
        }
      }
      Optional<Sandbox> sandbox = AnnotationSupport.findAnnotation(element, Sandbox.class);
      if (sandbox.isPresent()) {
        Sandbox s = sandbox.get();
        namespaces.addAll(EnumSet.of(Namespace.NET, Namespace.IPC, Namespace.UTS));
        sandboxAnnotated = true;
        // Checked after @Hostname of the same element: there, @Hostname wins.
        if (hostname.isEmpty() && !s.hostname().isEmpty()) {
          hostname = Optional.of(validHostname(s.hostname(), Attribute.of(Sandbox.class, "hostname")));
        }
        if (timeout.isEmpty() && !s.timeout().isEmpty()) {
          timeout = Optional.of(DurationText.parsePositive(s.timeout(), Attribute.of(Sandbox.class, "timeout")));
        }
        List<String> args = new ArrayList<>();
        for (String arg : s.jvmArgs()) {
          if (arg.isBlank() || !arg.startsWith("-")) {
            throw Attribute.of(Sandbox.class, "jvmArgs")
                .invalid(arg, "JVM options, one per element, each starting with '-' (for example \"-Xmx64m\")");
          }
          args.add(arg);
        }
        // Outer annotations first, so options nearer to the test come later and win.
        jvmArgs.addAll(0, args);
      }
    }
    if (limits == null) {
      limits = CgroupLimits.none();
    }
    if (expectOomKill && limits.memoryBytes().isEmpty()) {
      throw Attribute.of(CgroupLimit.class, "memory")
          .invalid("", "a memory limit, which @ExpectOomKill needs (for example @CgroupLimit(memory = \"64M\"))");
    }
    Optional<NetworkPlan> network = Optional.empty();
    if (topology.isPresent()) {
      TopologySpec topologySpec = topologySpec(topology.get());
      String host = onHost.orElse(topologySpec.hosts().get(0));
      if (!topologySpec.hosts().contains(host)) {
        throw Attribute.of(OnHost.class, "value").invalid(host, "one of the hosts of @Topology: " + topologySpec.hosts());
      }
      network = Optional.of(new NetworkPlan(topologySpec, host, topologyClass));
      // The test joins its host's network namespace instead of getting an empty one.
      namespaces.remove(Namespace.NET);
      namespaces.add(Namespace.UTS);
      if (hostname.isEmpty()) {
        hostname = Optional.of(host);
      }
    } else if (onHost.isPresent()) {
      throw Attribute.of(OnHost.class, "value").invalid(onHost.get(), "a host of a @Topology on the test or its class (none found)");
    }
    if (hostname.isEmpty() && sandboxAnnotated) {
      hostname = Optional.of(DEFAULT_SANDBOX_HOSTNAME);
    }
    if (!limits.isEmpty()) {
      // A cgroup namespace plus a fresh cgroupfs: the child JVM then sees its limits the way it
      // would in a container (without it, it reports the host's memory).
      namespaces.add(Namespace.CGROUP);
    }
    return new SandboxSpec(
        namespaces,
        hostname,
        monotonic == null ? Duration.ZERO : monotonic,
        boottime == null ? Duration.ZERO : boottime,
        timeout,
        jvmArgs,
        isClassIsolated(context),
        limits,
        expectOomKill,
        tmpfs,
        rlimits,
        network,
        allCapabilities);
  }

  static TopologySpec topologySpec(Topology t) {
    List<LinkSpec> links = new ArrayList<>();
    try {
      for (Link l : t.links()) {
        LinkSpec link = LinkSpec.between(l.between());
        if (l.emulated()) {
          link = link.emulated(l.seed() == -1 ? new java.util.Random().nextLong() : l.seed());
        }
        if (!l.rate().isEmpty()) link = link.rate(l.rate());
        if (!l.delay().isEmpty()) link = link.delay(l.delay());
        if (!l.jitter().isEmpty()) link = link.jitter(l.jitter());
        if (!l.loss().isEmpty()) link = link.loss(l.loss());
        if (!l.duplicate().isEmpty()) link = link.duplicate(l.duplicate());
        if (!l.reorder().isEmpty()) link = link.reorder(l.reorder());
        if (!l.corrupt().isEmpty()) link = link.corrupt(l.corrupt());
        links.add(link);
      }
      return new TopologySpec(List.of(t.hosts()), links, t.subnet());
    } catch (IllegalArgumentException e) {
      // The network layer names the field, the value and what is allowed.
      throw new org.junit.jupiter.api.extension.ExtensionConfigurationException("@Topology is invalid: " + e.getMessage(), e);
    }
  }

  static CgroupLimits limits(CgroupLimit a) {
    CgroupLimits limits = CgroupLimits.none();
    if (!a.memory().isEmpty()) {
      limits = limits.withMemory(SizeText.parse(a.memory(), Attribute.of(CgroupLimit.class, "memory")));
    }
    long swap = SizeText.parseAllowingZero(a.memorySwap(), Attribute.of(CgroupLimit.class, "memorySwap"));
    if (swap > 0) {
      if (limits.memoryBytes().isEmpty()) {
        throw Attribute.of(CgroupLimit.class, "memorySwap")
            .invalid(a.memorySwap(), "\"0\" unless memory is set too (swap is allowed on top of the memory limit)");
      }
      limits = limits.withMemorySwap(swap);
    } else if (limits.memoryBytes().isPresent()) {
      limits = limits.withMemorySwap(0);
    }
    if (!a.cpus().isEmpty()) {
      String allowed = "a positive number of CPUs, for example \"0.5\", \"1\" or \"2\" (at least 0.01)";
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
            .invalid(a.cpuset(), "a list of CPU numbers and ranges, for example \"0\", \"0-1\" or \"0,2\"");
      }
      limits = limits.withCpuset(a.cpuset().trim());
    }
    if (a.pids() < 0) {
      throw Attribute.of(CgroupLimit.class, "pids")
          .invalid(Long.toString(a.pids()), "a positive maximum number of tasks, or 0 for no limit");
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
    String allowedPath = "an absolute directory path other than /, /proc, /sys, /dev and paths below them, without ':'";
    if (!t.path().startsWith("/") || t.path().contains(":") || t.path().contains("\0")) {
      throw pathAttribute.invalid(t.path(), allowedPath);
    }
    Path path = Path.of(t.path()).normalize();
    if (path.getNameCount() == 0 || FORBIDDEN_TMPFS_ROOTS.stream().anyMatch(root -> path.startsWith(root))) {
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

  static String validHostname(String value, Attribute attribute) {
    if (value.length() > 64 || !HOSTNAME.matcher(value).matches()) {
      throw attribute.invalid(
          value,
          "a host name of 1 to 64 characters: letters, digits, '-' and '.', starting and ending with a letter or digit");
    }
    return value;
  }

  /** Annotated elements of the context chain, nearest to the test first. */
  private static List<AnnotatedElement> elements(ExtensionContext context) {
    List<AnnotatedElement> result = new ArrayList<>();
    for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
      c.getElement().ifPresent(e -> {
        if (!result.contains(e)) {
          result.add(e);
        }
      });
    }
    return Collections.unmodifiableList(result);
  }
}
