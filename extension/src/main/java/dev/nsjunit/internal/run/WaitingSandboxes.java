package dev.nsjunit.internal.run;

import dev.nsjunit.internal.cleanup.JvmExit;
import dev.nsjunit.internal.lab.ClassLabs;
import dev.nsjunit.internal.lab.LabAccess;
import dev.nsjunit.internal.lab.LabPlan;
import dev.nsjunit.internal.launcher.LauncherProcess;
import dev.nsjunit.internal.namespaces.PrivilegeProbe;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Sandboxes started ahead of their tests (nsjunit.prestart). A child JVM boots before it knows
 * which test it will run, so while one test runs, the sandboxes of the tests that come next in the
 * test plan ({@link UpcomingTests}) boot up to the point where they wait for their test. A test
 * takes a waiting sandbox of its {@link SandboxRun.Shape}, or starts its own as before; a sandbox
 * serves one test only.
 *
 * <p>One thread starts and discards them, one at a time, so booting ahead never competes with
 * itself for the parent's locks. A sandbox nobody takes (its test was filtered, aborted by a
 * failing {@code @BeforeAll}, or the run ended) is discarded like any other: launcher ended, then
 * its teardown; at the plan's end and at the JVM's exit at the latest.
 *
 * <p>The hosts of a class-level {@code @Topology} wait too: their sandboxes join the class's lab,
 * built ahead for them if the class has none yet ({@link ClassLabs}). Such a sandbox serves only a
 * test of that very lab, and it ends before its lab closes.
 */
final class WaitingSandboxes {
  static final WaitingSandboxes JVM = new WaitingSandboxes();

  /** How long a discarded sandbox's launcher may take to end before it is killed. */
  private static final Duration DISCARD_GRACE = Duration.ofSeconds(5);

  private final Map<SandboxRun.Shape, Deque<SandboxRun.Started>> waiting = new HashMap<>();

  /** Shapes whose start failed ahead of time: their tests start their own and report why. */
  private final Set<SandboxRun.Shape> startOnDemand = new HashSet<>();

  private List<SandboxRun.Shape> wanted = List.of();
  private long startedAhead;
  private long taken;
  private long discarded;
  private SandboxRun.Shape starting;
  private boolean reconcileQueued;
  private boolean exitHooked;
  private ExecutorService starter;

  private WaitingSandboxes() {
    ClassLabs.beforeClosing(this::discardJoinedTo);
  }

  /**
   * A waiting sandbox of this shape, in this lab if the test has one, if there is one; when one is
   * being started right now, waits for it (milliseconds of parent-side work, or a lab's start)
   * rather than start a second.
   */
  synchronized Optional<SandboxRun.Started> take(SandboxRun.Shape shape, Optional<LabAccess> lab)
      throws InterruptedException {
    while (shape.equals(starting)) {
      wait();
    }
    Deque<SandboxRun.Started> ready = waiting.get(shape);
    if (ready == null) {
      return Optional.empty();
    }
    // Shapes name a class's lab, not which one: the same class run twice at once has two.
    for (Iterator<SandboxRun.Started> it = ready.iterator(); it.hasNext(); ) {
      SandboxRun.Started sandbox = it.next();
      if (sameLab(sandbox.setup().lab(), lab)) {
        it.remove();
        taken++;
        return Optional.of(sandbox);
      }
    }
    return Optional.empty();
  }

  private static boolean sameLab(Optional<LabAccess> joined, Optional<LabAccess> wanted) {
    return joined.isEmpty() ? wanted.isEmpty() : wanted.isPresent() && joined.get() == wanted.get();
  }

  /**
   * The shapes the next tests need, nearest first, as many as may wait: starts what is missing and
   * discards what is no longer needed, on the starting thread.
   */
  synchronized void want(List<SandboxRun.Shape> shapes) {
    wanted = List.copyOf(shapes);
    if (!reconcileQueued && (!wanted.isEmpty() || !waiting.isEmpty())) {
      reconcileQueued = true;
      starter().execute(this::reconcile);
    }
  }

  /** Discards every waiting sandbox and waits until that is done (the test plan is over). */
  void discardAll() {
    Future<?> done;
    synchronized (this) {
      wanted = List.of();
      if (starter == null) {
        return;
      }
      done = starter.submit(this::reconcile);
    }
    try {
      done.get(DISCARD_GRACE.toSeconds() * 4, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      System.err.println("nsjunit: could not discard the sandboxes started ahead: " + e);
    }
  }

  /** What happened so far in this JVM, for tests and diagnostics. */
  record Counts(int waiting, long startedAhead, long taken, long discarded) {}

  synchronized Counts counts() {
    return new Counts(
        waiting.values().stream().mapToInt(Deque::size).sum(), startedAhead, taken, discarded);
  }

  private synchronized ExecutorService starter() {
    if (starter == null) {
      starter =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "nsjunit-prestart");
                t.setDaemon(true);
                return t;
              });
    }
    if (!exitHooked) {
      exitHooked = true;
      // Before the JVM's cgroup placement is undone: these sandboxes' groups sit below it.
      JvmExit.JVM.at(JvmExit.Stage.WAITING_SANDBOXES, this::discardAtExit);
    }
    return starter;
  }

  /** Starts and discards one sandbox at a time until what waits is what is wanted. */
  private void reconcile() {
    while (true) {
      List<SandboxRun.Started> surplus;
      SandboxRun.Shape next;
      Set<Class<?>> labsNeeded;
      synchronized (this) {
        reconcileQueued = false;
        surplus = takeSurplus();
        next = firstMissing();
        starting = next;
        labsNeeded = classLabsOf(wanted);
      }
      surplus.forEach(this::discard);
      // A lab built ahead for tests that will not come (filtered, BeforeAll failed, plan over).
      ClassLabs.closeUnadoptedExcept(labsNeeded);
      if (next == null) {
        return;
      }
      SandboxRun.Started started = null;
      try {
        started = startAhead(next);
      } finally {
        synchronized (this) {
          starting = null;
          if (started != null) {
            startedAhead++;
            waiting.computeIfAbsent(next, s -> new ArrayDeque<>()).addLast(started);
          }
          notifyAll();
        }
      }
    }
  }

  private static Set<Class<?>> classLabsOf(List<SandboxRun.Shape> shapes) {
    Set<Class<?>> classes = new HashSet<>();
    for (SandboxRun.Shape shape : shapes) {
      shape.spec().network().flatMap(LabPlan::sharedByClass).ifPresent(classes::add);
    }
    return classes;
  }

  /**
   * A class's lab is about to close (the class is done): the sandboxes waiting in it end first, on
   * the closing thread. One being started in it right now ends at the next reconciliation, which
   * the class's end triggers ({@link #takeSurplus}: its lab is closed).
   */
  private void discardJoinedTo(LabAccess lab) {
    List<SandboxRun.Started> joined = new ArrayList<>();
    synchronized (this) {
      for (Deque<SandboxRun.Started> ready : waiting.values()) {
        for (Iterator<SandboxRun.Started> it = ready.iterator(); it.hasNext(); ) {
          SandboxRun.Started sandbox = it.next();
          if (sandbox.setup().lab().map(l -> l == lab).orElse(false)) {
            it.remove();
            joined.add(sandbox);
          }
        }
      }
      waiting.values().removeIf(Deque::isEmpty);
    }
    joined.forEach(this::discard);
  }

  private SandboxRun.Started startAhead(SandboxRun.Shape shape) {
    if (PrivilegeProbe.missingPrivilege(shape.config()).isPresent()) {
      markStartOnDemand(shape); // the test itself explains (or skips)
      return null;
    }
    Teardown teardown = new Teardown();
    try {
      return SandboxRun.startAhead(shape, teardown);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      teardown.close();
      return null;
    } catch (RuntimeException | Error e) {
      // The test starts its own sandbox and reports this same problem as its own failure.
      markStartOnDemand(shape);
      try {
        teardown.close();
      } catch (RuntimeException ignored) {
        // the test's own start will meet (and explain) whatever is wrong here
      }
      return null;
    }
  }

  private synchronized void markStartOnDemand(SandboxRun.Shape shape) {
    startOnDemand.add(shape);
  }

  /** Waiting sandboxes beyond what the wanted shapes count; the newest go first. */
  private List<SandboxRun.Started> takeSurplus() {
    Map<SandboxRun.Shape, Integer> counts = counts(wanted);
    List<SandboxRun.Started> surplus = new ArrayList<>();
    for (Map.Entry<SandboxRun.Shape, Deque<SandboxRun.Started>> e : waiting.entrySet()) {
      // Started in a lab that closed meanwhile (its class ended while it booted): no test of it.
      for (Iterator<SandboxRun.Started> it = e.getValue().iterator(); it.hasNext(); ) {
        SandboxRun.Started sandbox = it.next();
        if (sandbox.setup().lab().map(LabAccess::isClosed).orElse(false)) {
          it.remove();
          surplus.add(sandbox);
        }
      }
      int keep = counts.getOrDefault(e.getKey(), 0);
      while (e.getValue().size() > keep) {
        surplus.add(e.getValue().pollLast());
      }
    }
    waiting.values().removeIf(Deque::isEmpty);
    return surplus;
  }

  /** The nearest wanted shape with fewer waiting than wanted. */
  private SandboxRun.Shape firstMissing() {
    Map<SandboxRun.Shape, Integer> seen = new HashMap<>();
    for (SandboxRun.Shape shape : wanted) {
      int nth = seen.merge(shape, 1, Integer::sum);
      Deque<SandboxRun.Started> ready = waiting.get(shape);
      if (!startOnDemand.contains(shape) && (ready == null ? 0 : ready.size()) < nth) {
        return shape;
      }
    }
    return null;
  }

  private static Map<SandboxRun.Shape, Integer> counts(List<SandboxRun.Shape> shapes) {
    Map<SandboxRun.Shape, Integer> counts = new HashMap<>();
    shapes.forEach(s -> counts.merge(s, 1, Integer::sum));
    return counts;
  }

  /** Like the end of any sandbox: the launcher ends it (lifeline closed), then its teardown. */
  private void discard(SandboxRun.Started sandbox) {
    synchronized (this) {
      discarded++;
    }
    try {
      LauncherProcess.end(sandbox.process(), DISCARD_GRACE);
    } finally {
      try {
        sandbox.teardown().close();
      } catch (RuntimeException e) {
        System.err.println(
            "nsjunit: a sandbox started ahead of its test was not fully removed: "
                + e.getMessage());
      }
    }
  }

  /**
   * At the JVM's exit the starting thread may be busy: end what waits from here. A sandbox being
   * started right now is left to its launcher, which ends it when this JVM is gone.
   */
  private void discardAtExit() {
    List<SandboxRun.Started> all = new ArrayList<>();
    synchronized (this) {
      wanted = List.of();
      waiting.values().forEach(all::addAll);
      waiting.clear();
    }
    all.forEach(this::discard);
    ClassLabs.closeUnadoptedExcept(Set.of());
  }
}
