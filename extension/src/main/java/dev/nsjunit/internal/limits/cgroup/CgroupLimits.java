package dev.nsjunit.internal.limits.cgroup;

import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Validated limits of one sandbox. Annotation strings are parsed elsewhere; this record only
 * rejects values no cgroup version could apply, so both drivers can write them as they are.
 *
 * @param memoryBytes memory limit ({@code memory.limit_in_bytes} / {@code memory.max})
 * @param memorySwapBytes swap allowed beyond {@code memoryBytes}; empty means 0 (no swap), so a
 *     test that exceeds its memory is OOM-killed instead of slowly paging
 * @param cpus CPU bandwidth in CPUs, e.g. 0.5 means 50 ms of CPU time every 100 ms
 * @param cpuset the CPUs the sandbox may run on, in the kernel's list format ("0-1", "0,2")
 * @param pids maximum number of processes and threads
 */
public record CgroupLimits(
    OptionalLong memoryBytes,
    OptionalLong memorySwapBytes,
    OptionalDouble cpus,
    Optional<String> cpuset,
    OptionalLong pids) {

  public CgroupLimits {
    if (memoryBytes.isPresent() && memoryBytes.getAsLong() <= 0) {
      throw new IllegalArgumentException(
          "memory limit must be positive, got " + memoryBytes.getAsLong());
    }
    if (memorySwapBytes.isPresent()) {
      if (memorySwapBytes.getAsLong() < 0) {
        throw new IllegalArgumentException(
            "swap limit must not be negative, got " + memorySwapBytes.getAsLong());
      }
      if (memoryBytes.isEmpty()) {
        throw new IllegalArgumentException(
            "a swap limit needs a memory limit: swap is allowed beyond memory");
      }
    }
    if (cpus.isPresent() && !(cpus.getAsDouble() > 0 && Double.isFinite(cpus.getAsDouble()))) {
      throw new IllegalArgumentException(
          "cpus must be a positive number, got " + cpus.getAsDouble());
    }
    cpuset.ifPresent(CpuList::parse);
    if (pids.isPresent() && pids.getAsLong() <= 0) {
      throw new IllegalArgumentException("pids limit must be positive, got " + pids.getAsLong());
    }
  }

  public static CgroupLimits none() {
    return new CgroupLimits(
        OptionalLong.empty(),
        OptionalLong.empty(),
        OptionalDouble.empty(),
        Optional.empty(),
        OptionalLong.empty());
  }

  public CgroupLimits withMemory(long bytes) {
    return new CgroupLimits(OptionalLong.of(bytes), memorySwapBytes, cpus, cpuset, pids);
  }

  public CgroupLimits withMemorySwap(long bytes) {
    return new CgroupLimits(memoryBytes, OptionalLong.of(bytes), cpus, cpuset, pids);
  }

  public CgroupLimits withCpus(double value) {
    return new CgroupLimits(memoryBytes, memorySwapBytes, OptionalDouble.of(value), cpuset, pids);
  }

  public CgroupLimits withCpuset(String cpuList) {
    return new CgroupLimits(memoryBytes, memorySwapBytes, cpus, Optional.of(cpuList), pids);
  }

  public CgroupLimits withPids(long max) {
    return new CgroupLimits(memoryBytes, memorySwapBytes, cpus, cpuset, OptionalLong.of(max));
  }

  public boolean isEmpty() {
    return memoryBytes.isEmpty()
        && memorySwapBytes.isEmpty()
        && cpus.isEmpty()
        && cpuset.isEmpty()
        && pids.isEmpty();
  }

  /** The swap to allow beyond memory: 0 unless asked, see {@link #memorySwapBytes()}. */
  long swapBeyondMemory() {
    return memorySwapBytes.orElse(0);
  }

  /**
   * CFS quota in microseconds per {@link #CPU_PERIOD_MICROS}; the kernel refuses less than 1 ms.
   */
  long cpuQuotaMicros() {
    return Math.max(1000, Math.round(cpus.orElseThrow() * CPU_PERIOD_MICROS));
  }

  static final long CPU_PERIOD_MICROS = 100_000;
}
