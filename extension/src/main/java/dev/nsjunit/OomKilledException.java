package dev.nsjunit;

/**
 * The kernel's OOM killer killed the test's JVM because its sandbox hit its memory limit, for
 * example "killed by the kernel OOM killer: memory limit 64 MiB, peak 64 MiB".
 */
public final class OomKilledException extends SandboxFailedException {
  private static final long serialVersionUID = 1L;

  private final long limitBytes;
  private final long peakBytes;

  public OomKilledException(String message, long limitBytes, long peakBytes) {
    super(Reason.OOM_KILLED, message);
    this.limitBytes = limitBytes;
    this.peakBytes = peakBytes;
  }

  /** The memory limit of the sandbox in bytes (-1 if none was set). */
  public long limitBytes() {
    return limitBytes;
  }

  /** The highest memory usage the sandbox's cgroup recorded, in bytes. */
  public long peakBytes() {
    return peakBytes;
  }
}
