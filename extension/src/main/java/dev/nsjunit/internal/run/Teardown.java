package dev.nsjunit.internal.run;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Map;

/**
 * What one sandbox run has made, undone in a fixed order whatever way the run ends (a result, a
 * timeout, an exception, a failure half way through setup): first the child (the launcher, and with
 * it every process in the sandbox; its channel and debug port), then the network lab (its host
 * processes; the lab itself when the test owns it), then the cgroups (empty now, so they can be
 * removed, and their usage was read while they were there), then the run directory (the sandbox's
 * files in it and the mount points made for it). Each step runs even when an earlier one failed;
 * the first failure is rethrown at the end with the others suppressed.
 *
 * <p>Within a stage, what was registered last is undone first. The order is documented in
 * docs/reliability.md and checked by TeardownTest.
 */
public final class Teardown implements AutoCloseable {
  /** The stages, in the order they run. */
  public enum Stage {
    CHILD,
    LAB,
    CGROUPS,
    RUN_DIRECTORY
  }

  /** One undo step; may throw. */
  public interface Step {
    void run() throws Exception;
  }

  private final Map<Stage, Deque<Step>> steps = new EnumMap<>(Stage.class);
  private boolean closed;

  public Teardown() {
    for (Stage stage : Stage.values()) {
      steps.put(stage, new ArrayDeque<>());
    }
  }

  /** Registers {@code step} to run in {@code stage}; after close it runs at once. */
  public synchronized void at(Stage stage, Step step) {
    if (closed) {
      try {
        step.run();
      } catch (Exception e) {
        throw new IllegalStateException("undoing after the sandbox ended: " + e.getMessage(), e);
      }
      return;
    }
    steps.get(stage).push(step);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    RuntimeException failure = null;
    for (Stage stage : Stage.values()) {
      for (Step step : steps.get(stage)) {
        try {
          step.run();
        } catch (Exception e) {
          if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt(); // the rest still runs; the caller sees the flag
          }
          RuntimeException r =
              e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e);
          if (failure == null) {
            failure = r;
          } else {
            failure.addSuppressed(r);
          }
        }
      }
      steps.get(stage).clear();
    }
    if (failure != null) {
      throw failure;
    }
  }
}
