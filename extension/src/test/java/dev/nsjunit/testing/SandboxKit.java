package dev.nsjunit.testing;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Runs fixture test classes through the real Jupiter engine and the real extension (the way
 * JUnit Pioneer's test kit does), capturing what the sandbox wrote to this JVM's stdout/stderr.
 */
public final class SandboxKit {
  private SandboxKit() {}

  /** What one engine run produced. */
  public record Run(EngineExecutionResults results, String stdout, String stderr) {
    /** Asserts every test passed, showing the failures (with their messages) when not. */
    public Run assertAllPassed(int count) {
      java.util.List<String> failures = new java.util.ArrayList<>();
      results.testEvents().finished().list().forEach(e -> e.getPayload(org.junit.platform.engine.TestExecutionResult.class)
          .filter(r -> r.getStatus() != org.junit.platform.engine.TestExecutionResult.Status.SUCCESSFUL)
          .ifPresent(r -> failures.add(e.getTestDescriptor().getDisplayName() + ": " + r.getStatus() + " "
              + r.getThrowable().map(Throwable::toString).orElse(""))));
      org.assertj.core.api.Assertions.assertThat(failures).as("tests that did not pass").isEmpty();
      results.testEvents().assertStatistics(s -> s.succeeded(count));
      return this;
    }
  }

  public static Run run(Class<?> fixture) {
    return run(fixture, Map.of());
  }

  public static Run run(Class<?> fixture, Map<String, String> configuration) {
    return capture(() -> EngineTestKit.engine("junit-jupiter").enableImplicitConfigurationParameters(true)
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
    java.lang.reflect.Method m = java.util.Arrays.stream(fixture.getDeclaredMethods())
        .filter(candidate -> candidate.getName().equals(method))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(fixture + " has no method " + method));
    return capture(() -> EngineTestKit.engine("junit-jupiter").enableImplicitConfigurationParameters(true)
        .configurationParameters(configuration)
        .selectors(selectMethod(fixture, m)).execute());
  }

  private static synchronized Run capture(java.util.function.Supplier<EngineExecutionResults> body) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(new Tee(outBytes, out), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(new Tee(errBytes, err), true, StandardCharsets.UTF_8));
    try {
      EngineExecutionResults results = body.get();
      return new Run(results, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
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
