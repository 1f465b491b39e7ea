package dev.nsjunit.internal.spec;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the annotations of one test ask of its sandbox, validated. Built by
 * {@link SpecReader}; turned into a launcher command line by the launch package.
 *
 * @param namespaces namespaces to create (always at least pid and mount)
 * @param hostname hostname in a new UTS namespace
 * @param monotonicOffset CLOCK_MONOTONIC offset (zero: none)
 * @param boottimeOffset CLOCK_BOOTTIME offset (zero: none)
 * @param timeout hard limit for the whole sandbox, empty: the configured default
 * @param jvmArgs extra child JVM options from annotations
 * @param classIsolated an annotation sits on the test class (or an enclosing class), so the
 *     class's {@code @BeforeAll}/{@code @AfterAll} run only in the sandbox
 */
public record SandboxSpec(
    Set<Namespace> namespaces,
    Optional<String> hostname,
    Duration monotonicOffset,
    Duration boottimeOffset,
    Optional<Duration> timeout,
    List<String> jvmArgs,
    boolean classIsolated) {

  public SandboxSpec {
    namespaces = Set.copyOf(EnumSet.copyOf(namespaces));
    jvmArgs = List.copyOf(jvmArgs);
  }

  public boolean has(Namespace namespace) {
    return namespaces.contains(namespace);
  }
}
