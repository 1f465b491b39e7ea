package dev.nsjunit.internal.jvm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.platform.engine.ConfigurationParameters;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/**
 * The test plans being executed in this JVM, so a sandbox can get every configuration parameter the
 * parent's launcher was given. An extension can only ask JUnit for a parameter by name; the test
 * plan's {@link ConfigurationParameters#keySet()} (JUnit Platform 1.9+, so JUnit 5.10 and 6.x
 * alike) lists them all: Surefire's {@code configurationParameters}, the console launcher's {@code
 * --config}, an IDE's, {@code junit-platform.properties} and system properties.
 *
 * <p>Registered through {@code META-INF/services}, so every launcher that auto-registers listeners
 * (Surefire, Gradle, the console launcher, IDEs) has it; a run without a launcher (JUnit's
 * EngineTestKit) or with auto-registration off falls back to the keys in {@link
 * ChildJUnitConfiguration}.
 */
public final class LaunchedTestPlans implements TestExecutionListener {
  private static final List<TestPlan> RUNNING = new CopyOnWriteArrayList<>();

  @Override
  public void testPlanExecutionStarted(TestPlan testPlan) {
    RUNNING.add(testPlan);
  }

  @Override
  public void testPlanExecutionFinished(TestPlan testPlan) {
    RUNNING.remove(testPlan);
    anyFinished = true;
  }

  /** Whether a launcher began discovering tests in this JVM (HeadStart says so). */
  private static volatile boolean discovered;

  /** Whether a test plan finished executing in this JVM. */
  private static volatile boolean anyFinished;

  /** A launcher began discovering tests: a JVM that ends before any plan of it finished stopped. */
  public static void discoveryStarted() {
    discovered = true;
  }

  /**
   * Whether the JVM's exit now ends a run before it was done: a plan is still executing (an IDE's
   * stop button, Ctrl-C, a build's fork timeout), or a launcher discovered tests and no plan of it
   * finished (stopped during discovery, or a JVM that only lists tests). A run without a launcher
   * (EngineTestKit) is never seen as stopped.
   */
  static boolean endsUnfinished() {
    return anyRunning() || (discovered && !anyFinished);
  }

  /**
   * Whether a test plan is still executing: at the JVM's exit, that it was stopped mid-run (an
   * IDE's stop button, Ctrl-C, a build's fork timeout) rather than done.
   */
  static boolean anyRunning() {
    return !RUNNING.isEmpty();
  }

  /** The parameters of the newest running plan that contains the test, or empty without one. */
  static Optional<Map<String, String>> parametersOf(String uniqueId) {
    for (int i = RUNNING.size() - 1; i >= 0; i--) {
      TestPlan plan;
      try {
        plan = RUNNING.get(i);
      } catch (IndexOutOfBoundsException raced) {
        continue;
      }
      if (contains(plan, uniqueId)) {
        ConfigurationParameters parameters = plan.getConfigurationParameters();
        Map<String, String> result = new LinkedHashMap<>();
        for (String key : new java.util.TreeSet<>(parameters.keySet())) {
          parameters.get(key).ifPresent(v -> result.put(key, v));
        }
        return Optional.of(result);
      }
    }
    return Optional.empty();
  }

  /** A dynamic test joins the plan only when it runs: its container is enough. */
  private static boolean contains(TestPlan plan, String uniqueId) {
    UniqueId id;
    try {
      id = UniqueId.parse(uniqueId);
    } catch (RuntimeException e) {
      return false;
    }
    while (!id.getSegments().isEmpty()) {
      try {
        plan.getTestIdentifier(id.toString());
        return true;
      } catch (RuntimeException notInPlan) {
        if (id.getSegments().size() == 1) {
          return false;
        }
        id = id.removeLastSegment();
      }
    }
    return false;
  }
}
