package dev.nsjunit.internal.limits.cgroup;

/**
 * What every driver's group shares: live usage while it exists, the last reading after it is closed
 * (so the parent can still report it), and one close that reads, kills and removes.
 */
abstract class MeasuredGroup implements TestCgroup {
  private Usage lastUsage;
  private boolean closed;

  /** Reads the group's usage files now. */
  abstract Usage read() throws CgroupException;

  /** Reads only the OOM-kill counter now. */
  abstract long readOomKills() throws CgroupException;

  /** Kills what is left and removes the group(s); throws IllegalStateException when one stays. */
  abstract void killAndRemove();

  /**
   * Undoes a group whose creation failed half-way (limits not all written): closes it, keeping a
   * cleanup failure as suppressed on {@code failure}, which the caller then rethrows.
   */
  static void abandon(TestCgroup group, Exception failure) {
    try {
      group.close();
    } catch (IllegalStateException cleanup) {
      failure.addSuppressed(cleanup);
    }
  }

  @Override
  public final synchronized Usage usage() {
    if (closed) {
      return lastUsage;
    }
    try {
      return read();
    } catch (CgroupException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  @Override
  public final synchronized long oomKills() {
    if (closed) {
      return lastUsage.oomKills();
    }
    try {
      return readOomKills();
    } catch (CgroupException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  @Override
  public final synchronized void close() {
    if (closed) {
      return;
    }
    try {
      lastUsage = read();
    } catch (CgroupException | RuntimeException e) {
      lastUsage = lastUsage != null ? lastUsage : Usage.NONE;
    }
    killAndRemove();
    closed = true;
  }
}
