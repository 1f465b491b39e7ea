package dev.nsjunit.internal.spec;

import dev.nsjunit.internal.limits.cgroup.CgroupPlacement;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The {@code nsjunit.*} configuration parameters, read in one place. They come from {@code
 * junit-platform.properties}, system properties or the build tool's JUnit configuration.
 *
 * @param timeout hard limit for one sandbox ({@code nsjunit.timeout}, default 10m)
 * @param bootTimeout how long a child JVM may take to say hello ({@code nsjunit.bootTimeout}, 60s)
 * @param skipWhenUnprivileged {@code nsjunit.unprivileged=skip}: abort instead of fail when
 *     namespaces cannot be created
 * @param jvmArgs extra child JVM options ({@code nsjunit.jvmArgs}, whitespace separated)
 * @param fastStart {@code nsjunit.fastStart=true}: child JVMs compile with C1 only (default false:
 *     C1 and C2, so a test that computes is not penalized)
 * @param launcher a launcher binary to use instead of the one inside the jar ({@code
 *     nsjunit.launcher})
 * @param java the java executable for child JVMs ({@code nsjunit.java}, default: the running one)
 * @param skipWhenNetemMissing {@code nsjunit.netem.missing=skip}: abort instead of fail a test
 *     whose links need netem on a kernel without it
 * @param classDataSharing {@code nsjunit.cds} (default true): child JVMs share an AppCDS archive
 *     (JDK 17-24) or an AOT cache (JDK 25+) made by the first child of a (JDK, classpath) pair
 * @param lambdaClasses {@code nsjunit.cds.lambdaClasses} (default true): with an AppCDS archive,
 *     child JVMs run copies of JUnit's and nsjunit's jars whose lambdas are plain classes (see
 *     docs/performance.md)
 * @param cgroupParent a delegated, empty cgroup v2 directory to create test cgroups in when the
 *     JVM's own cgroup cannot hold them ({@code nsjunit.cgroup.parent})
 * @param cgroupPlacement where test cgroups may go on cgroup v2 when the JVM's own cgroup cannot
 *     hold them ({@code nsjunit.cgroup.placement}: auto, own, systemd, leaf; default auto)
 * @param debugPort {@code nsjunit.debug=<port>}: child JVMs wait for a debugger on localhost:port
 *     (docs/runners.md)
 * @param userns {@code nsjunit.userns}: "auto" (default: a user namespace when this JVM lacks
 *     CAP_SYS_ADMIN, so tests run as an ordinary user), "always" or "never"
 * @param allCapabilities {@code nsjunit.capabilities=all}: every sandbox keeps every capability
 *     (default {@code restricted}: those that undo the isolation are dropped; see
 *     docs/reliability.md)
 * @param prestart {@code nsjunit.prestart}: how many sandboxes may boot and wait for tests that
 *     come next in the test plan ("auto", the default: the cores JUnit's own threads leave free,
 *     bounded by memory; 0 turns it off; see docs/performance.md)
 */
public record Configuration(
    Duration timeout,
    Duration bootTimeout,
    boolean skipWhenUnprivileged,
    List<String> jvmArgs,
    boolean fastStart,
    Optional<Path> launcher,
    Optional<Path> java,
    Optional<Path> cgroupParent,
    boolean skipWhenNetemMissing,
    boolean classDataSharing,
    boolean lambdaClasses,
    CgroupPlacement cgroupPlacement,
    Optional<Integer> debugPort,
    String userns,
    boolean allCapabilities,
    int prestart) {

  public static final String PREFIX = "nsjunit.";

  public static Configuration from(ExtensionContext context) {
    return from(context::getConfigurationParameter);
  }

  /**
   * From any source of parameters: an extension context, or a test plan's parameters when sandboxes
   * are prepared ahead of their tests ({@code nsjunit.prestart}).
   */
  public static Configuration from(Function<String, Optional<String>> context) {
    Duration timeout = duration(context, "timeout", Duration.ofMinutes(10));
    Duration bootTimeout = duration(context, "bootTimeout", Duration.ofSeconds(60));
    String unprivileged = context.apply(PREFIX + "unprivileged").orElse("fail").trim();
    if (!unprivileged.equals("fail") && !unprivileged.equals("skip")) {
      throw Attribute.configurationKey(PREFIX + "unprivileged")
          .invalid(unprivileged, "\"fail\" or \"skip\"");
    }
    List<String> jvmArgs = new ArrayList<>();
    String rawArgs = context.apply(PREFIX + "jvmArgs").orElse("").trim();
    if (!rawArgs.isEmpty()) {
      for (String arg : rawArgs.split("\\s+")) {
        if (!arg.startsWith("-")) {
          throw Attribute.configurationKey(PREFIX + "jvmArgs")
              .invalid(rawArgs, "JVM options separated by whitespace, each starting with '-'");
        }
        jvmArgs.add(arg);
      }
    }
    String fast = context.apply(PREFIX + "fastStart").orElse("false").trim();
    if (!fast.equals("true") && !fast.equals("false")) {
      throw Attribute.configurationKey(PREFIX + "fastStart").invalid(fast, "\"true\" or \"false\"");
    }
    return new Configuration(
        timeout,
        bootTimeout,
        unprivileged.equals("skip"),
        jvmArgs,
        fast.equals("true"),
        path(context, "launcher"),
        path(context, "java"),
        path(context, "cgroup.parent"),
        failOrSkip(context, "netem.missing"),
        bool(context, "cds", true),
        bool(context, "cds.lambdaClasses", true),
        placement(context),
        port(context, "debug"),
        oneOf(context, "userns", "auto", "always", "never"),
        oneOf(context, "capabilities", "restricted", "all").equals("all"),
        prestart(context));
  }

  /** The most sandboxes that may wait at once; more than this buys nothing on any machine. */
  static final int MAX_PRESTART = 32;

  private static int prestart(Function<String, Optional<String>> context) {
    String value = context.apply(PREFIX + "prestart").orElse("auto").trim();
    if (value.equals("auto")) {
      return automaticPrestart(
          Runtime.getRuntime().availableProcessors(),
          MemoryInfo.availableBytes().orElse(4L << 30),
          testThreads(context));
    }
    try {
      int count = Integer.parseInt(value);
      if (count >= 0 && count <= MAX_PRESTART) {
        return count;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw Attribute.configurationKey(PREFIX + "prestart")
        .invalid(value, "\"auto\" or a number of sandboxes from 0 (off) to " + MAX_PRESTART);
  }

  /**
   * Booting a child JVM is CPU work: sandboxes boot ahead on the cores that running tests leave
   * free, one each. A sequential run on 2 cores gets 1; JUnit's parallel execution with as many
   * threads as cores gets none (measured: on 2 cores, 2 threads plus waiting sandboxes were slower
   * than either alone). Bounded by memory too: a waiting child JVM holds about 50 to 70 MiB, and
   * all waiting ones together take at most a sixteenth of the memory available now.
   */
  static int automaticPrestart(int cores, long availableBytes, int testThreads) {
    long byMemory = availableBytes / 16 / (64L << 20);
    return (int) Math.max(0, Math.min(Math.min(cores - testThreads, byMemory), MAX_PRESTART));
  }

  /**
   * How many tests JUnit Jupiter runs at once, from its parallel execution parameters: 1 unless
   * parallel execution is on; then the fixed parallelism, or the dynamic factor (default 1) times
   * the cores.
   */
  static int testThreads(Function<String, Optional<String>> context) {
    boolean parallel =
        context
            .apply("junit.jupiter.execution.parallel.enabled")
            .map(v -> v.trim().equalsIgnoreCase("true"))
            .orElse(false);
    if (!parallel) {
      return 1;
    }
    int cores = Runtime.getRuntime().availableProcessors();
    String strategy =
        context.apply("junit.jupiter.execution.parallel.config.strategy").orElse("dynamic").trim();
    try {
      if (strategy.equalsIgnoreCase("fixed")) {
        return Math.max(
            1,
            Integer.parseInt(
                context
                    .apply("junit.jupiter.execution.parallel.config.fixed.parallelism")
                    .orElse(Integer.toString(cores))
                    .trim()));
      }
      if (strategy.equalsIgnoreCase("dynamic")) {
        double factor =
            Double.parseDouble(
                context
                    .apply("junit.jupiter.execution.parallel.config.dynamic.factor")
                    .orElse("1")
                    .trim());
        return Math.max(1, (int) Math.round(factor * cores));
      }
    } catch (NumberFormatException e) {
      // JUnit reports its own parameter; assume every core is taken
    }
    return cores; // a custom strategy: assume every core is taken
  }

  private static Optional<Integer> port(Function<String, Optional<String>> context, String key) {
    Optional<String> value =
        context.apply(PREFIX + key).map(String::trim).filter(s -> !s.isEmpty());
    if (value.isEmpty()) {
      return Optional.empty();
    }
    try {
      int port = Integer.parseInt(value.get());
      if (port >= 1 && port <= 65535) {
        return Optional.of(port);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw Attribute.configurationKey(PREFIX + key)
        .invalid(value.get(), "a TCP port number from 1 to 65535, e.g. 5005");
  }

  private static String oneOf(
      Function<String, Optional<String>> context, String key, String fallback, String... others) {
    String value = context.apply(PREFIX + key).orElse(fallback).trim();
    if (!value.equals(fallback) && !List.of(others).contains(value)) {
      throw Attribute.configurationKey(PREFIX + key)
          .invalid(value, "\"" + fallback + "\", \"" + String.join("\", \"", others) + "\"");
    }
    return value;
  }

  private static boolean bool(
      Function<String, Optional<String>> context, String key, boolean fallback) {
    String value = context.apply(PREFIX + key).orElse(Boolean.toString(fallback)).trim();
    if (!value.equals("true") && !value.equals("false")) {
      throw Attribute.configurationKey(PREFIX + key).invalid(value, "\"true\" or \"false\"");
    }
    return value.equals("true");
  }

  private static CgroupPlacement placement(Function<String, Optional<String>> context) {
    String value = context.apply(CgroupPlacement.PROPERTY).orElse("auto").trim();
    return CgroupPlacement.parse(value)
        .orElseThrow(
            () ->
                Attribute.configurationKey(CgroupPlacement.PROPERTY)
                    .invalid(value, CgroupPlacement.allowed()));
  }

  private static boolean failOrSkip(Function<String, Optional<String>> context, String key) {
    String value = context.apply(PREFIX + key).orElse("fail").trim();
    if (!value.equals("fail") && !value.equals("skip")) {
      throw Attribute.configurationKey(PREFIX + key).invalid(value, "\"fail\" or \"skip\"");
    }
    return value.equals("skip");
  }

  private static Duration duration(
      Function<String, Optional<String>> context, String key, Duration fallback) {
    return context
        .apply(PREFIX + key)
        .map(v -> DurationText.parsePositive(v, Attribute.configurationKey(PREFIX + key)))
        .orElse(fallback);
  }

  private static Optional<Path> path(Function<String, Optional<String>> context, String key) {
    return context.apply(PREFIX + key).map(String::trim).filter(s -> !s.isEmpty()).map(Path::of);
  }
}
