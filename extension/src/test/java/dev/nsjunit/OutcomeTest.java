package dev.nsjunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.abortedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.nsjunit.testing.SandboxKit;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.platform.testkit.engine.Event;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class OutcomeTest {

  private static Throwable failureOf(SandboxKit.Run run, String method) {
    Event finished = run.results().testEvents().finished().list().stream()
        .filter(e -> e.getTestDescriptor().getDisplayName().startsWith(method))
        .findFirst().orElseThrow(() -> new AssertionError("no finished event for " + method));
    return finished.getPayload(org.junit.platform.engine.TestExecutionResult.class)
        .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable)
        .orElseThrow(() -> new AssertionError(method + " did not fail"));
  }

  @Test
  void assertionFailureKeepsExpectedAndActualForTheIdeDiff() {
    Throwable t = failureOf(SandboxKit.runMethod(Cases.class, "comparesStrings"), "comparesStrings");
    assertThat(t).isInstanceOf(AssertionFailedError.class);
    AssertionFailedError afe = (AssertionFailedError) t;
    assertThat(afe.isExpectedDefined()).isTrue();
    assertThat(afe.getExpected().getValue()).isEqualTo("expected text");
    assertThat(afe.getActual().getValue()).isEqualTo("actual text");
    assertThat(afe.getStackTrace()).anyMatch(f -> f.getMethodName().equals("comparesStrings"));
  }

  @Test
  void serializableExceptionComesBackAsItsOwnTypeWithCauseAndSuppressed() {
    Throwable t = failureOf(SandboxKit.runMethod(Cases.class, "throwsSerializable"), "throwsSerializable");
    assertThat(t).isInstanceOf(BusinessException.class).hasMessage("order 42 rejected");
    assertThat(t.getCause()).isInstanceOf(IOException.class).hasMessage("disk said no");
    assertThat(t.getSuppressed()).hasSize(1);
    assertThat(t.getSuppressed()[0]).hasMessage("cleanup failed too");
  }

  @Test
  void nonSerializableExceptionBecomesAFaithfulPlaceholder() {
    Throwable t = failureOf(SandboxKit.runMethod(Cases.class, "throwsUnserializable"), "throwsUnserializable");
    assertThat(t).isInstanceOf(SandboxedException.class).hasMessage("holds a thread");
    assertThat(((SandboxedException) t).originalClassName()).isEqualTo(UnserializableException.class.getName());
    assertThat(t.toString()).startsWith(UnserializableException.class.getName() + ": holds a thread");
    assertThat(t.getStackTrace()).anyMatch(f -> f.getMethodName().equals("throwsUnserializable"));
    assertThat(t.getCause()).hasMessage("root cause");
  }

  @Test
  void failedAssumptionAbortsTheTest() {
    SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "assumesSomething");
    run.results().testEvents().assertThatEvents().haveExactly(1,
        event(test("assumesSomething"), abortedWithReason(instanceOf(TestAbortedException.class), message(m -> m.contains("not on this planet")))));
  }

  @Test
  void disabledTestStaysDisabledAndStartsNoSandbox() {
    SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "disabled");
    run.results().testEvents().assertStatistics(s -> s.skipped(1).started(0));
  }

  @Test
  void outputOfTheChildShowsUpAsTheTestsOutputIncludingNativeWrites() {
    SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "prints");
    run.results().testEvents().assertStatistics(s -> s.succeeded(1));
    assertThat(run.stdout()).contains("hello from the sandbox").contains("written by a native process");
    assertThat(run.stderr()).contains("complaint on stderr");
  }

  @Test
  void reportEntriesReachTheParentsListeners() {
    SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "reports");
    assertThat(run.results().allEvents().reportingEntryPublished().list())
        .anySatisfy(e -> assertThat(e.getPayload(org.junit.platform.engine.reporting.ReportEntry.class).orElseThrow()
            .getKeyValuePairs()).containsEntry("cache.hits", "17"));
  }

  static class BusinessException extends RuntimeException {
    BusinessException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  static class UnserializableException extends RuntimeException {
    private final Thread thread = Thread.currentThread(); // Thread is not Serializable

    UnserializableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  @FreshPid
  static class Cases {
    @Test
    void comparesStrings() {
      org.junit.jupiter.api.Assertions.assertEquals("expected text", "actual text");
    }

    @Test
    void throwsSerializable() {
      BusinessException e = new BusinessException("order 42 rejected", new IOException("disk said no"));
      e.addSuppressed(new IllegalStateException("cleanup failed too"));
      throw e;
    }

    @Test
    void throwsUnserializable() {
      throw new UnserializableException("holds a thread", new IllegalArgumentException("root cause"));
    }

    @Test
    void assumesSomething() {
      Assumptions.assumeTrue(false, "not on this planet");
    }

    @Test
    @Disabled("kept off")
    void disabled() {}

    @Test
    void prints() throws Exception {
      System.out.println("hello from the sandbox");
      System.err.println("complaint on stderr");
      // A child process writes straight to the inherited fd 1, like native code would.
      new ProcessBuilder("echo", "written by a native process").inheritIO().start().waitFor();
    }

    @Test
    void reports(TestReporter reporter) {
      reporter.publishEntry(Map.of("cache.hits", "17"));
    }
  }
}
