package dev.nsjunit;

import dev.nsjunit.assertj.SandboxUsageAssert;
import dev.nsjunit.internal.limits.cgroup.CgroupException;
import dev.nsjunit.internal.limits.cgroup.OwnCgroup;
import dev.nsjunit.internal.limits.cgroup.Usage;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * What the running test's sandbox has used so far, read live from its cgroup. Call it from a test
 * with {@link CgroupLimit}; check it with {@link SandboxUsageAssert}:
 *
 * <pre>{@code
 * SandboxUsageAssert.assertThat(SandboxUsage.current())
 *     .hasMemoryPeakBelow("48M")
 *     .hasNoOomKills();
 * }</pre>
 *
 * @param memoryPeakBytes highest memory charge so far (page cache included, as the kernel counts
 *     it)
 * @param memoryCurrentBytes memory charged now
 * @param cpuTime CPU time used by every process of the sandbox
 * @param throttledTime time held back by the {@code cpus} quota
 * @param pidsCurrent tasks (processes and threads) now
 * @param pidsPeak highest task count, where the kernel counts it
 * @param oomKills processes the kernel's OOM killer killed in the sandbox
 */
public record SandboxUsage(
    long memoryPeakBytes,
    long memoryCurrentBytes,
    Duration cpuTime,
    Duration throttledTime,
    long pidsCurrent,
    OptionalLong pidsPeak,
    long oomKills) {

  /**
   * Reads the usage of the sandbox this test runs in.
   *
   * @throws IllegalStateException outside a sandbox with {@link CgroupLimit} (there is no cgroup of
   *     the test's own to read)
   */
  public static SandboxUsage current() {
    if (System.getProperty(dev.nsjunit.internal.child.ChildMain.SANDBOXED_PROPERTY) == null) {
      throw new IllegalStateException(
          "SandboxUsage.current() reads the cgroup of an isolated test: call it from a test annotated with @CgroupLimit");
    }
    try {
      Usage u = OwnCgroup.usage();
      return new SandboxUsage(
          u.memoryPeakBytes(),
          u.memoryCurrentBytes(),
          u.cpuTime(),
          u.throttledTime(),
          u.pidsCurrent(),
          u.pidsPeak(),
          u.oomKills());
    } catch (CgroupException | RuntimeException e) {
      throw new IllegalStateException(
          "SandboxUsage.current() could not read this sandbox's cgroup (is the test annotated with @CgroupLimit?): "
              + e.getMessage(),
          e);
    }
  }
}
