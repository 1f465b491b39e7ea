package dev.nsjunit;

/**
 * A sandboxed test ended without reporting a result of its own: the sandbox could not be set up,
 * the child JVM exited or was killed, timed out, or its channel broke. The message says which, with
 * the exit code or signal and the last lines of the child's stderr.
 */
public class SandboxFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why the sandbox ended without a result. */
  public enum Reason {
    /** The launcher could not create the sandbox (namespaces, mounts, cgroups). */
    SETUP_FAILED,
    /** This machine does not let the test JVM create namespaces. */
    UNPRIVILEGED,
    /**
     * The test asks for cgroup limits and no cgroup could take them here (not delegated, read-only,
     * no placement possible); the test was not started, never run without its limits.
     */
    LIMITS_UNAVAILABLE,
    /** The child JVM exited (System.exit, Runtime.halt, a crash) before reporting. */
    EXITED,
    /** The child JVM was killed by a signal. */
    KILLED_BY_SIGNAL,
    /** The kernel's OOM killer killed the sandbox. */
    OOM_KILLED,
    /** The sandbox ran past its hard time limit and was killed. */
    TIMED_OUT,
    /** The channel to the child broke, was truncated or carried garbage. */
    CHANNEL_BROKEN
  }

  private final Reason reason;

  public SandboxFailedException(Reason reason, String message) {
    this(reason, message, null);
  }

  public SandboxFailedException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
