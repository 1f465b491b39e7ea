package dev.nsjunit.internal.run;

import dev.nsjunit.SandboxFailedException;
import dev.nsjunit.SandboxFailedException.Reason;
import dev.nsjunit.internal.cleanup.JvmExit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Sandboxes whose test's result is reported and whose child JVM is still exiting: each is watched
 * to its end and torn down by a thread of its own, as it would have been on the test's thread. A
 * child JVM's exit (shutdown hooks, the VM's own shutdown, the namespaces' teardown) takes a few ms
 * to tens of ms; the test's result need not wait for it.
 *
 * <p>The sandboxes of a test class form a {@link Group}, kept in the class's JUnit store: when the
 * class ends, its sandboxes are gone, and what went wrong after a result (a shutdown hook that
 * exits with a code or hangs, a crash at exit) fails the class, naming the test, as a forked JVM
 * that dies at exit fails a build. The JVM's exit waits for any left.
 */
public final class ExitingSandboxes {
  /**
   * How long a class's end waits for its sandboxes' exits before it kills them: far longer than an
   * exit takes (ms), short enough not to hold a build for a hanging shutdown hook.
   */
  private static final Duration AT_THE_END = Duration.ofSeconds(30);

  private static final AtomicInteger COUNT = new AtomicInteger();
  private static final Set<Group> OPEN = new HashSet<>();
  private static boolean hooked;

  private ExitingSandboxes() {}

  /** The exiting sandboxes of one test class. */
  public static final class Group
      implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    private final Map<Thread, SandboxWatch> exiting = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    private Reason reason;

    void finish(SandboxWatch watch, Teardown teardown, String testName) {
      Thread t =
          new Thread(
              () -> {
                try {
                  watch.awaitExit().ifPresent(p -> problem(testName, p, watch));
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } finally {
                  try {
                    teardown.close();
                  } catch (RuntimeException e) {
                    problem(testName, "could not be torn down: " + e.getMessage(), watch);
                  }
                  synchronized (this) {
                    exiting.remove(Thread.currentThread());
                    notifyAll();
                  }
                }
              },
              "nsjunit-exiting-" + COUNT.incrementAndGet());
      t.setDaemon(true);
      synchronized (this) {
        exiting.put(t, watch);
      }
      opened(this);
      t.start();
    }

    private synchronized void problem(String testName, String what, SandboxWatch watch) {
      String line = "after the result of " + testName + " was reported, its sandbox " + what;
      System.err.println("nsjunit: " + line);
      problems.add(line);
      if (reason == null) {
        reason = watch.timedOutAfterResult() ? Reason.TIMED_OUT : Reason.EXITED;
      }
    }

    /** Waits until every sandbox of the group is torn down, or {@code max} passed. */
    synchronized void await(Duration max) {
      long deadline = System.nanoTime() + max.toNanos();
      boolean interrupted = false;
      while (!exiting.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    /** The class ends: its sandboxes are gone, and what went wrong after a result fails it. */
    @Override
    public void close() {
      await(AT_THE_END);
      synchronized (this) {
        exiting.values().forEach(SandboxWatch::stopAfterResult);
      }
      await(SandboxWatch.KILL_GRACE.multipliedBy(2));
      synchronized (ExitingSandboxes.class) {
        OPEN.remove(this);
      }
      Optional<String> failed;
      synchronized (this) {
        failed = problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
        problems.clear();
      }
      if (failed.isPresent()) {
        throw new SandboxFailedException(reason, "nsjunit: " + failed.get());
      }
    }
  }

  private static synchronized void opened(Group group) {
    OPEN.add(group);
    if (!hooked) {
      hooked = true;
      JvmExit.JVM.at(JvmExit.Stage.WAITING_SANDBOXES, ExitingSandboxes::awaitAllAtExit);
    }
  }

  private static void awaitAllAtExit() {
    List<Group> groups;
    synchronized (ExitingSandboxes.class) {
      groups = new ArrayList<>(OPEN);
    }
    for (Group g : groups) {
      g.await(AT_THE_END);
    }
  }
}
