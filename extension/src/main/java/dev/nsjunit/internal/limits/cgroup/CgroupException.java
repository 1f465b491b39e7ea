package dev.nsjunit.internal.limits.cgroup;

/**
 * A cgroup could not be found, created, limited or removed. The message is meant for someone
 * reading a CI log: what failed, on which path, the kernel's reason, and what to change.
 */
public class CgroupException extends Exception {
  private static final long serialVersionUID = 1L;

  public CgroupException(String message) {
    super(message);
  }

  public CgroupException(String message, Throwable cause) {
    super(message, cause);
  }
}
