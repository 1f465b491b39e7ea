package dev.nsjunit.internal.limits.cgroup;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * What a sandbox used, read live from its cgroup files.
 *
 * @param memoryPeakBytes highest memory charge seen (v1 {@code memory.max_usage_in_bytes}, v2
 *     {@code memory.peak}; on v2 kernels without {@code memory.peak} this is the current charge)
 * @param throttledTime time the sandbox was runnable but held back by its CPU quota
 * @param pidsPeak empty where the kernel does not count it (v1 before {@code pids.peak})
 * @param oomKills processes the kernel's OOM killer killed inside the sandbox
 */
public record Usage(
    long memoryPeakBytes,
    long memoryCurrentBytes,
    Duration cpuTime,
    Duration throttledTime,
    long pidsCurrent,
    OptionalLong pidsPeak,
    long oomKills) {

  static final Usage NONE =
      new Usage(0, 0, Duration.ZERO, Duration.ZERO, 0, OptionalLong.empty(), 0);
}
