package dev.nsjunit;

/**
 * Stands in for an exception thrown inside a sandbox whose class could not be rebuilt in the JVM
 * that reports the test (its class is not serializable, or not loadable there).
 *
 * <p>It keeps what a reader of the failure needs: the original class name, message, stack trace,
 * causes and suppressed exceptions. {@link #toString()} reads like the original, so stack traces
 * print as they would have.
 */
public final class SandboxedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String originalClassName;

  public SandboxedException(String originalClassName, String message) {
    super(message);
    this.originalClassName = originalClassName;
  }

  /** The fully qualified name of the exception class thrown in the sandbox. */
  public String originalClassName() {
    return originalClassName;
  }

  @Override
  public String toString() {
    String message = getLocalizedMessage();
    return message == null ? originalClassName : originalClassName + ": " + message;
  }
}
