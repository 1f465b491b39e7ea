package dev.nsjunit.testing;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import dev.nsjunit.SandboxFailedException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Runs fixture test classes through the real Jupiter engine and the real extension (the way JUnit
 * Pioneer's test kit does), capturing what the sandbox wrote to this JVM's stdout/stderr.
 */
public final class SandboxKit {
  private SandboxKit() {}

  /** What one engine run produced. */
  public record Run(EngineExecutionResults results, String stdout, String stderr) {
    /** Asserts every test passed, showing the failures (with their messages) when not. */
    public Run assertAllPassed(int count) {
      java.util.List<String> failures = new java.util.ArrayList<>();
      results
          .testEvents()
          .finished()
          .list()
          .forEach(
              e ->
                  e.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                      .filter(
                          r ->
                              r.getStatus()
                                  != org.junit.platform.engine.TestExecutionResult.Status
                                      .SUCCESSFUL)
                      .ifPresent(
                          r ->
                              failures.add(
                                  e.getTestDescriptor().getDisplayName()
                                      + ": "
                                      + r.getStatus()
                                      + " "
                                      + r.getThrowable().map(Throwable::toString).orElse(""))));
      org.assertj.core.api.Assertions.assertThat(failures).as("tests that did not pass").isEmpty();
      results.testEvents().assertStatistics(s -> s.succeeded(count));
      return this;
    }

    /**
     * The result of the one test whose display name starts with {@code name} (a method name, a
     * dynamic test's name): fails when no test or several tests of that name finished.
     */
    public TestExecutionResult resultOf(String name) {
      List<Event> finished =
          results.testEvents().finished().list().stream()
              .filter(e -> e.getTestDescriptor().getDisplayName().startsWith(name))
              .toList();
      Assertions.assertThat(finished)
          .as("finished tests named " + name + " in " + finishedNames())
          .hasSize(1);
      return finished.get(0).getPayload(TestExecutionResult.class).orElseThrow();
    }

    /** The exception of test {@code name}, which must have failed (not passed, not aborted). */
    public Throwable failureOf(String name) {
      return throwableOf(name, TestExecutionResult.Status.FAILED);
    }

    /**
     * The exception of test {@code name}, which must have failed with a {@link
     * SandboxFailedException} (the sandbox itself failed: the child died, timed out, broke its
     * channel, could not be set up).
     */
    public SandboxFailedException sandboxFailureOf(String name) {
      Throwable t = failureOf(name);
      Assertions.assertThat(t).isInstanceOf(SandboxFailedException.class);
      return (SandboxFailedException) t;
    }

    /**
     * The exception of the run's only test, which must have failed: fails when another number of
     * tests finished.
     */
    public Throwable onlyFailure() {
      List<TestExecutionResult> finished =
          results.testEvents().finished().list().stream()
              .map(e -> e.getPayload(TestExecutionResult.class).orElseThrow())
              .toList();
      Assertions.assertThat(finished).as("finished tests " + finishedNames()).hasSize(1);
      Assertions.assertThat(finished.get(0).getStatus())
          .as(
              "the only test ended with "
                  + finished.get(0).getThrowable().map(Throwable::toString).orElse("no exception"))
          .isEqualTo(TestExecutionResult.Status.FAILED);
      return finished.get(0).getThrowable().orElseThrow();
    }

    /** The exception of test {@code name}, which must have been aborted. */
    public Throwable abortOf(String name) {
      return throwableOf(name, TestExecutionResult.Status.ABORTED);
    }

    /**
     * The reason test {@code name} was skipped (never started); fails when it was not skipped
     * exactly once.
     */
    public String skipReasonOf(String name) {
      List<Event> skipped =
          results.testEvents().skipped().list().stream()
              .filter(e -> e.getTestDescriptor().getDisplayName().startsWith(name))
              .toList();
      Assertions.assertThat(skipped).as("skipped tests named " + name).hasSize(1);
      return skipped.get(0).getPayload(String.class).orElse("");
    }

    private Throwable throwableOf(String name, TestExecutionResult.Status expected) {
      TestExecutionResult result = resultOf(name);
      Assertions.assertThat(result.getStatus())
          .as(
              name
                  + " ended with "
                  + result.getThrowable().map(Throwable::toString).orElse("no exception"))
          .isEqualTo(expected);
      return result
          .getThrowable()
          .orElseThrow(() -> new AssertionError(name + " " + expected + " without an exception"));
    }

    /** The key-value pairs of every report entry the run published, in one map. */
    public Map<String, String> reportEntries() {
      Map<String, String> all = new java.util.HashMap<>();
      results
          .allEvents()
          .reportingEntryPublished()
          .list()
          .forEach(
              e -> all.putAll(e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs()));
      return all;
    }

    private List<String> finishedNames() {
      return results.testEvents().finished().list().stream()
          .map(e -> e.getTestDescriptor().getDisplayName())
          .toList();
    }
  }

  public static Run run(Class<?> fixture) {
    return run(fixture, Map.of());
  }

  public static Run run(Class<?> fixture, Map<String, String> configuration) {
    return capture(
        () ->
            EngineTestKit.engine("junit-jupiter")
                .enableImplicitConfigurationParameters(true)
                .configurationParameters(configuration)
                .selectors(selectClass(fixture))
                .execute());
  }

  /** Runs the fixture's one method of that name (whatever its parameters). */
  public static Run runMethod(Class<?> fixture, String method) {
    return runMethod(fixture, method, Map.of());
  }

  /** Runs the fixture's one method of that name with these configuration parameters. */
  public static Run runMethod(Class<?> fixture, String method, Map<String, String> configuration) {
    java.lang.reflect.Method m =
        java.util.Arrays.stream(fixture.getDeclaredMethods())
            .filter(candidate -> candidate.getName().equals(method))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException(fixture + " has no method " + method));
    return capture(
        () ->
            EngineTestKit.engine("junit-jupiter")
                .enableImplicitConfigurationParameters(true)
                .configurationParameters(configuration)
                .selectors(selectMethod(fixture, m))
                .execute());
  }

  /**
   * Runs the fixture's one method of that name with these system properties set in this JVM: the
   * way a test hands values to its fixture, since a sandbox's child JVM is started with this JVM's
   * system properties. See {@link #withProperties}.
   */
  public static Run runMethodWithProperties(
      Class<?> fixture, String method, Map<String, String> properties) {
    return withProperties(properties, () -> runMethod(fixture, method));
  }

  /**
   * Runs {@code body} with these system properties set, then gives them back their earlier values
   * (or none).
   */
  public static <T> T withProperties(
      Map<String, String> properties, java.util.function.Supplier<T> body) {
    Map<String, String> earlier = new java.util.HashMap<>();
    properties.forEach((key, value) -> earlier.put(key, System.setProperty(key, value)));
    try {
      return body.get();
    } finally {
      earlier.forEach(
          (key, value) -> {
            if (value == null) {
              System.clearProperty(key);
            } else {
              System.setProperty(key, value);
            }
          });
    }
  }

  private static synchronized Run capture(
      java.util.function.Supplier<EngineExecutionResults> body) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(new Tee(outBytes, out), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(new Tee(errBytes, err), true, StandardCharsets.UTF_8));
    try {
      EngineExecutionResults results = body.get();
      return new Run(
          results,
          outBytes.toString(StandardCharsets.UTF_8),
          errBytes.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  private static final class Tee extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    Tee(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int x) throws java.io.IOException {
      a.write(x);
      b.write(x);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
