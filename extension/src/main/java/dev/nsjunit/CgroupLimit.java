package dev.nsjunit;

import dev.nsjunit.internal.SandboxExtension;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the test in a cgroup of its own with resource limits, the way a container would: to
 * reproduce an OOM kill in a 64 MiB container, starvation on half a CPU, or running out of pids.
 *
 * <p>The group is created below the cgroup of the JVM that runs the tests (cgroup v1, v2 and hybrid
 * layouts), limits are written before any process joins it, and the launcher joins it before it
 * starts the child JVM, so the test is limited from its first instruction. The child JVM sees its
 * limits as in a container: {@code Runtime.maxMemory()}, {@code availableProcessors()} and {@code
 * OperatingSystemMXBean} report the cgroup's values.
 *
 * <p>An OOM kill fails the test with {@link OomKilledException} (use {@link ExpectOomKill} when the
 * kill is the point). Peak memory, CPU time, throttled time, peak pids and OOM kills are published
 * as report entries. Unset attributes mean "no limit". Also gives the test a fresh pid namespace.
 * See {@code docs/limits.md}.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@ExtendWith(SandboxExtension.class)
public @interface CgroupLimit {
  /**
   * Memory limit in bytes, with an optional binary suffix K, M, G (KiB, MiB, GiB): {@code "64M"}.
   */
  String memory() default "";

  /** Swap allowed on top of {@link #memory()}, same form; default {@code "0"}: no swap escape. */
  String memorySwap() default "0";

  /** CPU bandwidth as fractional CPUs, enforced as a CFS quota: {@code "0.5"}, {@code "2"}. */
  String cpus() default "";

  /** CPUs the test may run on, as a list: {@code "0"}, {@code "0-1"}, {@code "0,2"}. */
  String cpuset() default "";

  /** Maximum number of tasks (processes and threads) in the sandbox; 0 means no limit. */
  long pids() default 0;
}
