package dev.nsjunit;

import java.time.Duration;

/** A process started on a {@link NetworkHost}; closing it stops it (and everything it started). */
public interface HostProcess extends AutoCloseable {
  /**
   * Waits until something accepts TCP connections on {@code port} of this process's host (30 s at
   * most).
   */
  default void awaitPort(int port) {
    awaitPort(port, Duration.ofSeconds(30));
  }

  /**
   * @throws IllegalStateException when nothing listens within {@code timeout}, with the process's
   *     output
   */
  void awaitPort(int port, Duration timeout);

  /** Everything the process wrote to stdout and stderr so far. */
  String output();

  boolean isAlive();

  /**
   * Waits for the process to end; returns its exit code, or -1 if it is still running after {@code
   * timeout}.
   */
  int waitFor(Duration timeout);

  /** Kills the process and everything it started. */
  void stop();

  @Override
  default void close() {
    stop();
  }
}
