package dev.nsjunit.internal.child;

import dev.nsjunit.internal.channel.FrameWriter;
import dev.nsjunit.internal.channel.Message;
import dev.nsjunit.internal.channel.ThrowableData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.platform.engine.TestEngine;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs exactly one test, selected by unique id, with junit-platform-launcher, and turns what
 * happened into a {@link Message.Result}.
 *
 * <p>The unique id addresses nested classes, template invocations ({@code #N}) and dynamic tests.
 * If the test never ran (its class's {@code @BeforeAll} failed, or a dynamic test was not produced
 * again), the result says so instead of passing silently.
 */
public final class OneTestRun implements TestExecutionListener {
  private final String uniqueId;
  private final Map<String, String> configuration;
  private final FrameWriter writer;

  private Message.Result targetResult;
  private int testsFinished;
  private Throwable firstContainerFailure;

  OneTestRun(String uniqueId, Map<String, String> configuration, FrameWriter writer) {
    this.uniqueId = uniqueId;
    this.configuration = configuration;
    this.writer = writer;
  }

  Message.Result execute() {
    Map<String, String> params = new HashMap<>(configuration);
    // One test, one thread: the parent already decides what runs in parallel.
    params.put("junit.jupiter.execution.parallel.enabled", "false");
    LauncherDiscoveryRequest request =
        LauncherDiscoveryRequestBuilder.request()
            .selectors(DiscoverySelectors.selectUniqueId(uniqueId))
            .configurationParameters(params)
            .build();
    Launcher launcher = LauncherFactory.create(launcherConfig(uniqueId));
    launcher.execute(request, this);

    if (targetResult == null) {
      if (firstContainerFailure != null) {
        return new Message.Result(
            Message.Status.FAILED,
            ThrowableData.of(firstContainerFailure),
            "a container of the test failed");
      }
      IllegalStateException notRun =
          new IllegalStateException(
              "nsjunit: the test "
                  + uniqueId
                  + " did not run in the sandbox (it was not discovered there; a @TestFactory must "
                  + "produce the same dynamic tests each time it is called)");
      return new Message.Result(Message.Status.FAILED, ThrowableData.of(notRun), null);
    }
    if (testsFinished != 1) {
      IllegalStateException many =
          new IllegalStateException(
              "nsjunit: expected exactly one test to run in the sandbox, "
                  + testsFinished
                  + " ran");
      return new Message.Result(Message.Status.FAILED, ThrowableData.of(many), null);
    }
    if (targetResult.status() == Message.Status.SUCCESSFUL && firstContainerFailure != null) {
      // An @AfterAll that failed after the test passed still fails what the user sees.
      return new Message.Result(
          Message.Status.FAILED,
          ThrowableData.of(firstContainerFailure),
          "a container of the test failed");
    }
    return targetResult;
  }

  /**
   * Only the engine the test belongs to, and none of the auto-registered listeners and filters: the
   * parent already has those, and every other engine on the classpath (jqwik, vintage, ...) would
   * otherwise be loaded and asked to discover, on every sandbox's critical path.
   */
  static LauncherConfig launcherConfig(String uniqueId) {
    String engineId = UniqueId.parse(uniqueId).getEngineId().orElse(null);
    List<TestEngine> engines = new ArrayList<>();
    for (TestEngine engine : ServiceLoader.load(TestEngine.class)) {
      if (engine.getId().equals(engineId)) {
        engines.add(engine);
      }
    }
    if (engines.isEmpty()) {
      return LauncherConfig.DEFAULT; // let JUnit report the unknown engine its own way
    }
    return LauncherConfig.builder()
        .enableTestEngineAutoRegistration(false)
        .enableTestExecutionListenerAutoRegistration(false)
        .enablePostDiscoveryFilterAutoRegistration(false)
        .addTestEngines(engines.toArray(new TestEngine[0]))
        .build();
  }

  @Override
  public void executionSkipped(TestIdentifier test, String reason) {
    if (test.getUniqueId().equals(uniqueId)) {
      targetResult = new Message.Result(Message.Status.SKIPPED, null, reason);
    }
  }

  @Override
  public void executionFinished(TestIdentifier test, TestExecutionResult result) {
    if (test.isTest()) {
      testsFinished++;
    }
    if (test.getUniqueId().equals(uniqueId)) {
      targetResult = toResult(result);
    } else if (test.isContainer() && result.getStatus() == TestExecutionResult.Status.FAILED) {
      Optional<Throwable> t = result.getThrowable();
      if (firstContainerFailure == null && t.isPresent()) {
        firstContainerFailure = t.get();
      }
    }
  }

  @Override
  public void reportingEntryPublished(TestIdentifier test, ReportEntry entry) {
    try {
      writer.send(new Message.ReportEntry(new LinkedHashMap<>(entry.getKeyValuePairs())));
    } catch (Exception e) {
      System.err.println("nsjunit child: could not forward a report entry: " + e);
    }
  }

  /**
   * No switch on the status: a switch on an enum compiles to a class of its own ({@code
   * OneTestRun$1}), loaded at the first switch, after the test, when a test that took every file
   * descriptor leaves none to read it from a classpath directory.
   */
  private static Message.Result toResult(TestExecutionResult result) {
    ThrowableData t = result.getThrowable().map(ThrowableData::of).orElse(null);
    if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
      return new Message.Result(Message.Status.SUCCESSFUL, null, null);
    }
    if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
      return new Message.Result(Message.Status.ABORTED, t, null);
    }
    return new Message.Result(Message.Status.FAILED, t, null);
  }
}
