package dev.nsjunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.abortedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.event;
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
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class OutcomeTest {

  @Test
  void assertionFailureKeepsExpectedAndActualForTheIdeDiff() {
    Throwable t = SandboxKit.runMethod(Cases.class, "comparesStrings").failureOf("comparesStrings");
    assertThat(t).isInstanceOf(AssertionFailedError.class);
    AssertionFailedError afe = (AssertionFailedError) t;
    assertThat(afe.isExpectedDefined()).isTrue();
    assertThat(afe.getExpected().getValue()).isEqualTo("expected text");
    assertThat(afe.getActual().getValue()).isEqualTo("actual text");
    assertThat(afe.getStackTrace()).anyMatch(f -> f.getMethodName().equals("comparesStrings"));
  }

  @Test
  void serializableExceptionComesBackAsItsOwnTypeWithCauseAndSuppressed() {
    Throwable t =
        SandboxKit.runMethod(Cases.class, "throwsSerializable").failureOf("throwsSerializable");
    assertThat(t).isInstanceOf(BusinessException.class).hasMessage("order 42 rejected");
    assertThat(t.getCause()).isInstanceOf(IOException.class).hasMessage("disk said no");
    assertThat(t.getSuppressed()).hasSize(1);
    assertThat(t.getSuppressed()[0]).hasMessage("cleanup failed too");
  }

  /**
   * The report path takes no new file descriptor: a test that holds every descriptor its limit
   * allows and then fails still comes back as its own exception, serialized after the test (a class
   * without a serialVersionUID included, whose serialization computes one).
   */
  @Test
  void failuresComeBackWholeWhenTheTestHoldsEveryDescriptor() {
    Throwable t =
        SandboxKit.runMethod(Cases.class, "comparesWithNoDescriptorLeft")
            .failureOf("comparesWithNoDescriptorLeft");
    assertThat(t).isInstanceOf(AssertionFailedError.class);
    assertThat(((AssertionFailedError) t).getExpected().getValue()).isEqualTo("expected text");
    assertThat(((AssertionFailedError) t).getActual().getValue()).isEqualTo("actual text");
    Throwable own =
        SandboxKit.runMethod(Cases.class, "throwsSerializableWithNoDescriptorLeft")
            .failureOf("throwsSerializableWithNoDescriptorLeft");
    assertThat(own).isInstanceOf(BusinessException.class).hasMessage("order 43 rejected");
    assertThat(own.getCause()).isInstanceOf(IOException.class).hasMessage("disk said no");
  }

  @Test
  void nonSerializableExceptionBecomesAFaithfulPlaceholder() {
    Throwable t =
        SandboxKit.runMethod(Cases.class, "throwsUnserializable").failureOf("throwsUnserializable");
    assertThat(t).isInstanceOf(SandboxedException.class).hasMessage("holds a thread");
    assertThat(((SandboxedException) t).originalClassName())
        .isEqualTo(UnserializableException.class.getName());
    assertThat(t.toString())
        .startsWith(UnserializableException.class.getName() + ": holds a thread");
    assertThat(t.getStackTrace()).anyMatch(f -> f.getMethodName().equals("throwsUnserializable"));
    assertThat(t.getCause()).hasMessage("root cause");
  }

  @Test
  void failedAssumptionAbortsTheTest() {
    SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "assumesSomething");
    run.results()
        .testEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                test("assumesSomething"),
                abortedWithReason(
                    instanceOf(TestAbortedException.class),
                    message(m -> m.contains("not on this planet")))));
  }

  @Test
  void disabledTestStaysDisabledAndStartsNoSandbox() {
    SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "disabled");
    assertThat(run.skipReasonOf("disabled")).isEqualTo("kept off");
    run.results().testEvents().assertStatistics(s -> s.skipped(1).started(0));
  }

  @Test
  void outputOfTheChildShowsUpAsTheTestsOutputIncludingNativeWrites() {
    SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "prints");
    run.assertAllPassed(1);
    assertThat(run.stdout())
        .contains("hello from the sandbox")
        .contains("written by a native process");
    assertThat(run.stderr()).contains("complaint on stderr");
  }

  @Test
  void reportEntriesReachTheParentsListeners() {
    SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "reports").assertAllPassed(1);
    assertThat(run.results().allEvents().reportingEntryPublished().list())
        .anySatisfy(
            e ->
                assertThat(
                        e.getPayload(org.junit.platform.engine.reporting.ReportEntry.class)
                            .orElseThrow()
                            .getKeyValuePairs())
                    .containsEntry("cache.hits", "17"));
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

  /**
   * Each test first proves that it runs in a sandbox (PID 2 of its own pid namespace, with the
   * property only the child JVM has): run in place, every outcome checked above would differ.
   */
  @FreshPid
  static class Cases {
    static void inSandbox() {
      org.junit.jupiter.api.Assertions.assertEquals(
          "true", System.getProperty("nsjunit.sandboxed"), "nsjunit.sandboxed");
      org.junit.jupiter.api.Assertions.assertEquals(2, ProcessHandle.current().pid(), "pid");
    }

    @Test
    void comparesStrings() {
      inSandbox();
      org.junit.jupiter.api.Assertions.assertEquals("expected text", "actual text");
    }

    @Test
    void throwsSerializable() {
      inSandbox();
      BusinessException e =
          new BusinessException("order 42 rejected", new IOException("disk said no"));
      e.addSuppressed(new IllegalStateException("cleanup failed too"));
      throw e;
    }

    @Test
    @Rlimit(nofile = 64)
    void comparesWithNoDescriptorLeft() {
      inSandbox();
      holdEveryDescriptor();
      org.junit.jupiter.api.Assertions.assertEquals("expected text", "actual text");
    }

    @Test
    @Rlimit(nofile = 64)
    void throwsSerializableWithNoDescriptorLeft() {
      inSandbox();
      holdEveryDescriptor();
      throw new BusinessException("order 43 rejected", new IOException("disk said no"));
    }

    /** Opens /dev/null until the limit refuses, and keeps every one open (the sandbox ends). */
    static void holdEveryDescriptor() {
      try {
        while (true) {
          HELD.add(new java.io.FileInputStream("/dev/null"));
        }
      } catch (IOException full) {
        org.junit.jupiter.api.Assertions.assertTrue(
            String.valueOf(full.getMessage()).contains("Too many open files"), full.toString());
      }
    }

    static final java.util.List<Object> HELD = new java.util.ArrayList<>();

    @Test
    void throwsUnserializable() {
      inSandbox();
      throw new UnserializableException(
          "holds a thread", new IllegalArgumentException("root cause"));
    }

    @Test
    void assumesSomething() {
      inSandbox();
      Assumptions.assumeTrue(false, "not on this planet");
    }

    @Test
    @Disabled("kept off")
    void disabled() {}

    @Test
    void prints() throws Exception {
      inSandbox();
      System.out.println("hello from the sandbox");
      System.err.println("complaint on stderr");
      // A child process writes straight to the inherited fd 1, like native code would.
      new ProcessBuilder("echo", "written by a native process").inheritIO().start().waitFor();
    }

    @Test
    void reports(TestReporter reporter) {
      inSandbox();
      reporter.publishEntry(Map.of("cache.hits", "17"));
    }
  }
}
