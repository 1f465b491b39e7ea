package dev.nsjunit.internal.run;

import dev.nsjunit.internal.child.ChildMain;
import dev.nsjunit.internal.spec.AnnotationChain;
import dev.nsjunit.internal.spec.Configuration;
import dev.nsjunit.internal.spec.SandboxSpec;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * The isolated tests of the running test plans that have not taken their sandbox yet, in the order
 * the plan lists them (the order they run in, {@code @Order} and method orderers included), so
 * {@link WaitingSandboxes} can start the next ones' sandboxes ahead.
 *
 * <p>Known after discovery: a test method, and a test template or test factory (whose invocations
 * and dynamic tests are made as they run, all of the factory method's shape). A test leaves the
 * list when it takes its sandbox or ends (it may not need one: disabled, aborted, its class's
 * {@code @BeforeAll} failed); a template when it ends. The plan's end discards whatever still
 * waits.
 *
 * <p>Registered through {@code META-INF/services}, like {@code LaunchedTestPlans}: a run without a
 * launcher listener (EngineTestKit) simply starts every sandbox with its test.
 */
public final class UpcomingTests implements TestExecutionListener {
  /** An isolated test or template that may still take a sandbox. */
  private record Upcoming(
      TestPlan plan, String uniqueId, SandboxRun.Shape shape, boolean repeats) {}

  /**
   * By unique id, in the order the plans list them (the window is read from the front). A test's
   * entry is found by its id and a container's entries by a range of the sorted ids, so a plan of n
   * tests costs about n log n however many finish, not a scan of the list per finished test. Two
   * plans that list the same id (a plan run inside another one's test) share one entry: the inner
   * one wins, and the outer test simply starts its own sandbox.
   */
  private static final Map<String, Upcoming> PENDING = new LinkedHashMap<>();

  /** The same entries sorted by unique id, for {@link #over} of a container. */
  private static final NavigableMap<String, Upcoming> BY_ID = new TreeMap<>();

  @Override
  public void testPlanExecutionStarted(TestPlan plan) {
    if (System.getProperty(ChildMain.SANDBOXED_PROPERTY) != null) {
      // A plan run inside a sandbox (a test of tests) runs its isolated tests in place there:
      // sandboxes started for them would only wait, unused, until the plan's end.
      return;
    }
    synchronized (PENDING) {
      planStarted = true;
    }
    List<Upcoming> found = new ArrayList<>();
    PlanConfiguration config = new PlanConfiguration(plan);
    for (TestIdentifier root : plan.getRoots()) {
      collect(plan, root, config, found);
    }
    if (found.isEmpty() && !anyWanted) {
      return; // a plan of ordinary tests touches no sandbox
    }
    synchronized (PENDING) {
      for (Upcoming u : found) {
        PENDING.remove(u.uniqueId()); // re-inserted: its place is this plan's
        PENDING.put(u.uniqueId(), u);
        BY_ID.put(u.uniqueId(), u);
      }
    }
    refresh();
  }

  @Override
  public void executionSkipped(TestIdentifier test, String reason) {
    over(test.getUniqueId());
  }

  @Override
  public void executionFinished(TestIdentifier test, TestExecutionResult result) {
    over(test.getUniqueId());
  }

  @Override
  public void testPlanExecutionFinished(TestPlan plan) {
    boolean none;
    synchronized (PENDING) {
      PENDING.values().removeIf(u -> u.plan() == plan);
      BY_ID.values().removeIf(u -> u.plan() == plan);
      none = PENDING.isEmpty();
    }
    if (none) {
      // Nothing is left to run here: the plan ends with nothing of it waiting.
      if (anyWanted) {
        WaitingSandboxes.JVM.discardAll();
      }
    } else {
      refresh(); // a plan run inside another (a test of tests): the outer one goes on
    }
  }

  /** The test took a waiting sandbox or is starting its own. */
  static void taken(String uniqueId) {
    synchronized (PENDING) {
      Upcoming u = PENDING.get(uniqueId);
      if (u != null && !u.repeats()) {
        remove(u);
      }
    }
    // A template's next invocation, or a test that was not forecast: the window is the same, but a
    // sandbox may have been taken from it.
    refresh();
  }

  /** A test or container ended: nothing in it takes a sandbox any more. */
  private static void over(String uniqueId) {
    boolean changed = false;
    synchronized (PENDING) {
      if (PENDING.isEmpty()) {
        return;
      }
      Upcoming self = PENDING.get(uniqueId);
      if (self != null) {
        remove(self);
        changed = true;
      }
      // A container's descendants: ids below it start with its id and "/" ('0' follows '/').
      List<Upcoming> inside =
          new ArrayList<>(BY_ID.subMap(uniqueId + "/", true, uniqueId + "0", false).values());
      for (Upcoming u : inside) {
        remove(u);
        changed = true;
      }
    }
    if (changed) {
      refresh();
    }
  }

  private static void remove(Upcoming u) {
    PENDING.remove(u.uniqueId());
    BY_ID.remove(u.uniqueId());
  }

  /** The nearest upcoming shapes, as many as the nearest test's configuration lets wait. */
  private static void refresh() {
    List<SandboxRun.Shape> next = new ArrayList<>();
    synchronized (PENDING) {
      Iterator<Upcoming> it = PENDING.values().iterator();
      int window =
          PENDING.isEmpty() ? 0 : PENDING.values().iterator().next().shape().config().prestart();
      while (it.hasNext() && next.size() < window) {
        next.add(it.next().shape());
      }
    }
    want(next);
  }

  /** Whether this JVM ever asked for sandboxes ahead (a run of ordinary tests never does). */
  private static volatile boolean anyWanted;

  /** Whether a test plan has started in this JVM: from then on its plans say what is wanted. */
  private static boolean planStarted;

  /**
   * {@link HeadStart}'s guess of the first test's sandbox, while discovery runs; too late once a
   * plan has started (it would replace the plan's own window until the next test).
   */
  static void wantBeforeAnyPlan(SandboxRun.Shape shape) {
    synchronized (PENDING) {
      if (!planStarted) {
        want(List.of(shape));
      }
    }
  }

  /** The sandboxes to keep waiting, nearest first ({@link WaitingSandboxes#want}). */
  static void want(List<SandboxRun.Shape> shapes) {
    anyWanted = true;
    WaitingSandboxes.JVM.want(shapes);
  }

  /**
   * A plan's configuration, read at its first isolated test: a plan of ordinary tests never reads
   * it. Empty when a parameter is invalid (every test reports that itself).
   */
  private static final class PlanConfiguration {
    private final TestPlan plan;
    private Optional<Configuration> read;

    PlanConfiguration(TestPlan plan) {
      this.plan = plan;
    }

    Optional<Configuration> get() {
      if (read == null) {
        read = configuration(plan);
      }
      return read;
    }

    /** Read, and starts nothing ahead: the rest of the plan need not be looked at. */
    boolean startsNone() {
      return read != null && read.map(c -> c.prestart() == 0).orElse(true);
    }
  }

  /** Depth first, children in the plan's order: the order a sequential run executes them in. */
  private static void collect(
      TestPlan plan, TestIdentifier id, PlanConfiguration config, List<Upcoming> found) {
    if (config.startsNone()) {
      return;
    }
    Optional<MethodSource> method =
        id.getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast);
    if (method.isPresent()) {
      shape(plan, id, method.get(), config)
          .filter(SandboxRun.Shape::canWait)
          .ifPresent(s -> found.add(new Upcoming(plan, id.getUniqueId(), s, id.isContainer())));
      return;
    }
    for (TestIdentifier child : plan.getChildren(id)) {
      collect(plan, child, config, found);
    }
  }

  /**
   * The shape the extension will read when the test runs: the same annotation chain (the method,
   * then the classes of its containers, nearest first) and the same parameters. Anything that does
   * not read cleanly is left to the test, which reports it.
   */
  private static Optional<SandboxRun.Shape> shape(
      TestPlan plan, TestIdentifier id, MethodSource source, PlanConfiguration config) {
    try {
      List<Class<?>> classes = new ArrayList<>();
      for (Optional<TestIdentifier> c = plan.getParent(id);
          c.isPresent();
          c = plan.getParent(c.get())) {
        c.get()
            .getSource()
            .filter(ClassSource.class::isInstance)
            .map(s -> ((ClassSource) s).getJavaClass())
            .ifPresent(classes::add);
      }
      return shape(source.getJavaMethod(), classes, source.getJavaClass(), config::get);
    } catch (RuntimeException | LinkageError unreadable) {
      return Optional.empty();
    }
  }

  /**
   * The shape of a test method run in {@code testClass}, its containers' classes nearest first;
   * empty for a test that is not isolated, or one whose annotations do not read cleanly (the test
   * reports that itself).
   */
  static Optional<SandboxRun.Shape> shape(
      Method method,
      List<Class<?>> containers,
      Class<?> testClass,
      Supplier<Optional<Configuration>> config) {
    try {
      List<AnnotatedElement> chain = new ArrayList<>();
      chain.add(method);
      for (Class<?> cls : containers) {
        if (!chain.contains(cls)) {
          chain.add(cls);
        }
      }
      AnnotationChain annotations = AnnotationChain.of(chain);
      if (!SandboxFeatures.SPEC_READER.isSandboxed(annotations)) {
        return Optional.empty();
      }
      Optional<Configuration> parameters = config.get();
      if (parameters.isEmpty()) {
        return Optional.empty();
      }
      SandboxSpec spec = SandboxFeatures.SPEC_READER.read(annotations);
      return Optional.of(new SandboxRun.Shape(spec, parameters.get(), testClass));
    } catch (RuntimeException | LinkageError unreadable) {
      return Optional.empty();
    }
  }

  private static Optional<Configuration> configuration(TestPlan plan) {
    try {
      return Optional.of(Configuration.from(key -> plan.getConfigurationParameters().get(key)));
    } catch (RuntimeException invalid) {
      return Optional.empty(); // every test reports the invalid parameter itself
    }
  }
}
