package dev.nsjunit.internal.cleanup;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What a test JVM undoes when it exits normally, in one shutdown hook and a fixed order, instead of
 * one hook per resource (the JVM runs hooks concurrently, in no order).
 *
 * <p>Only what belongs to the JVM as a process is here: its cgroup placement (on v2 the JVM may
 * have moved itself into a leaf, or holds a systemd scope), its class-data archive dump, its run
 * directory (named after its pid and start time) and its janitor. These are shared by every JUnit
 * execution in the JVM (an IDE's reruns, the EngineTestKit runs in nsjunit's own tests), so they
 * cannot live in one execution's {@code ExtensionContext.Store}; what belongs to a test or a class
 * (a lab, a test's cgroup and files) is released by that test's teardown or that class's store.
 */
public final class JvmExit {
  /** The stages, in the order they run. */
  public enum Stage {
    /** First: sandboxes started ahead of tests that will not come now (their groups sit below). */
    WAITING_SANDBOXES,
    /**
     * An unfinished class-data archive dump: waited for (bounded) and moved into the cache, or
     * ended. Before the placement is undone: the dump runs in this JVM's cgroup.
     */
    ARCHIVE_DUMPS,
    /** Undo the JVM's cgroup placement (controllers off, processes back, scope ended). */
    CGROUP_PLACEMENT,
    /** Remove the run directory (sockets, status files, the extracted launcher). */
    RUN_DIRECTORY,
    /**
     * Last: until everything above is removed, a kill of the exiting JVM still leaves it to the
     * janitor.
     */
    JANITOR
  }

  /** This JVM's. */
  public static final JvmExit JVM = new JvmExit(true);

  private final boolean hookOnFirstUse;
  private final Map<Stage, Deque<Runnable>> steps = new EnumMap<>(Stage.class);
  private boolean hooked;
  private boolean ran;

  JvmExit(boolean hookOnFirstUse) {
    this.hookOnFirstUse = hookOnFirstUse;
  }

  /** Registers a step; within a stage, what was registered last runs first. */
  public synchronized void at(Stage stage, Runnable step) {
    if (ran) {
      return; // the JVM is exiting: nothing new to undo later
    }
    steps.computeIfAbsent(stage, s -> new ArrayDeque<>()).push(step);
    if (hookOnFirstUse && !hooked) {
      hooked = true;
      Runtime.getRuntime().addShutdownHook(new Thread(this::run, "nsjunit-jvm-exit"));
    }
  }

  /**
   * Runs every step once, stage by stage; a failing step does not stop the others. The steps run
   * outside this object's monitor: they take locks of their own (the janitor's) that a thread
   * registering a step may hold.
   */
  void run() {
    List<Runnable> order = new ArrayList<>();
    synchronized (this) {
      ran = true;
      for (Stage stage : Stage.values()) {
        order.addAll(steps.getOrDefault(stage, new ArrayDeque<>()));
      }
      steps.clear();
    }
    for (Runnable step : order) {
      try {
        step.run();
      } catch (RuntimeException | Error e) {
        // best effort at exit; what stays is the janitor's or the next run's sweep's
      }
    }
  }
}
