package dev.nsjunit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.testing.HostProcesses;
import dev.nsjunit.testing.SandboxKit;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * A test's result is reported when the child has sent it and marked its output complete, not when
 * the child JVM has exited: the exit (shutdown hooks, the VM's shutdown, the namespaces' teardown)
 * goes on behind it. Its output is still all the test's, the sandbox is still torn down before the
 * engine's execution ends, and what goes wrong after the result is told.
 */
class ReportBeforeExitTest {
  private static final String LAST_WORDS = "last words before the result";
  private static final String HOOK_RAN = "shutdown hook ran after the result";

  /** How long the fixture's shutdown hook waits before it prints: the guest's run sets 15000. */
  private static final String HOOK_DELAY = "nsjunit.test.exitHookDelayMs";

  private static String hookDelayMs() {
    return Integer.toString(Integer.getInteger(HOOK_DELAY, 1500));
  }

  @Test
  void theResultComesBeforeTheExitWithAllTheTestsOutputAndNothingLeftAtTheEnd() throws Exception {
    String marker = HostProcesses.sleepMarker();
    TimedCapture out = new TimedCapture();
    TimedCapture err = new TimedCapture();
    EngineExecutionResults results =
        SandboxKit.withProperties(
            Map.of("nsjunit.test.sleepMarker", marker, HOOK_DELAY, hookDelayMs()),
            () -> out.and(err).around(() -> engine(Cases.class, "printsAndExitsSlowly")));

    List<Event> finished = results.testEvents().finished().list();
    assertThat(finished).hasSize(1);
    assertThat(results.testEvents().succeeded().count()).isEqualTo(1);
    Instant reported = finished.get(0).getTimestamp();

    // Everything the test printed (200 KB on stdout, partly unflushed when it returned; a line on
    // stderr) was forwarded before its result was reported.
    assertThat(out.text().indexOf("x".repeat(200_000))).isNotNegative();
    assertThat(out.arrivalOf("x".repeat(200_000) + "|")).isBeforeOrEqualTo(reported);
    assertThat(err.arrivalOf(LAST_WORDS)).isBeforeOrEqualTo(reported);
    // The shutdown hook, 1.5 s into the exit, printed after the result: it was not waited for...
    // (15 s in the cgroup v2 guest, whose emulated CPU may take longer than 1.5 s to report)
    assertThat(out.arrivalOf(HOOK_RAN)).isAfter(reported);
    // ...but its output still came through, and what went wrong after the result is said, on
    // stderr at once and as the failure of the test's class at its end (as a forked JVM that dies
    // at exit fails a build)...
    assertThat(err.text())
        .contains("after the result of")
        .contains("printsAndExitsSlowly")
        .contains("exited with code 3");
    SandboxFailedException classFailure = sandboxFailureOfItsClass(results, Cases.class);
    assertThat(classFailure.reason()).isEqualTo(SandboxFailedException.Reason.EXITED);
    assertThat(classFailure)
        .hasMessageContaining("printsAndExitsSlowly")
        .hasMessageContaining("exited with code 3");
    // ...the mark itself is never shown...
    assertThat(out.text()).doesNotContain("output-complete").doesNotContain("\0");
    assertThat(err.text()).doesNotContain("output-complete").doesNotContain("\0");
    // ...and the engine's execution ended only after the sandbox was gone (its sleep with it).
    assertThat(HostProcesses.withArgument(marker)).isEmpty();
  }

  @Test
  void aTestThatClosesItsStdoutStillGetsItsResultAfterTheExit() {
    SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "closesStdout");
    run.assertAllPassed(1);
    assertThat(run.stderr()).contains("stderr still open");
  }

  @Test
  void aShutdownHookThatHangsIsKilledAtTheTestsDeadlineAndFailsItsClass() throws Exception {
    assertThat(killedHangingHook(HangingHook.class))
        // killed at the test's 3 s deadline, not left to the end of its class
        .hasMessageContaining("did not exit by the test's deadline");
  }

  /**
   * A hook that hangs under a deadline longer than the class: the class's end waits its 30 s, then
   * kills the sandbox and fails the class, so nothing outlives the class that reported it.
   */
  @Test
  void aShutdownHookThatHangsPastTheClassesEndIsKilledThenAndFailsItsClass() throws Exception {
    assertThat(killedHangingHook(HangingHookLongDeadline.class))
        .hasMessageContaining("had not exited when its class ended");
  }

  /**
   * Runs {@code fixture}'s test, whose shutdown hook hangs in a {@code sleep}: the test passes, its
   * class fails as timed out naming it, and the sleep is gone. Returns the class's failure.
   */
  private static SandboxFailedException killedHangingHook(Class<?> fixture) throws Exception {
    String marker = HostProcesses.sleepMarker();
    SandboxKit.Run run =
        SandboxKit.withProperties(
            Map.of("nsjunit.test.sleepMarker", marker),
            () -> SandboxKit.runMethod(fixture, "hangsAtExit"));
    assertThat(run.results().testEvents().succeeded().count()).isEqualTo(1);
    SandboxFailedException classFailure = sandboxFailureOfItsClass(run.results(), fixture);
    assertThat(classFailure.reason()).isEqualTo(SandboxFailedException.Reason.TIMED_OUT);
    assertThat(classFailure).hasMessageContaining("hangsAtExit");
    assertThat(HostProcesses.withArgument(marker)).isEmpty();
    return classFailure;
  }

  /**
   * The one failed container must be the fixture class, failed by a SandboxFailedException: JUnit
   * may wrap what a store's resource throws at the class's end ("Failed to close extension
   * context"), so it is the failure or its cause.
   */
  private static SandboxFailedException sandboxFailureOfItsClass(
      EngineExecutionResults results, Class<?> fixture) {
    List<Event> failed = results.containerEvents().failed().list();
    assertThat(failed).hasSize(1);
    assertThat(failed.get(0).getTestDescriptor().getDisplayName())
        .isEqualTo(fixture.getName().substring(fixture.getName().lastIndexOf('.') + 1));
    Throwable t =
        failed
            .get(0)
            .getPayload(org.junit.platform.engine.TestExecutionResult.class)
            .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable)
            .orElseThrow();
    while (!(t instanceof SandboxFailedException) && t.getCause() != null) {
      t = t.getCause();
    }
    assertThat(t).isInstanceOf(SandboxFailedException.class);
    return (SandboxFailedException) t;
  }

  private static EngineExecutionResults engine(Class<?> fixture, String method) {
    return EngineTestKit.engine("junit-jupiter")
        .enableImplicitConfigurationParameters(true)
        .selectors(DiscoverySelectors.selectMethod(fixture, method))
        .execute();
  }

  /** What this JVM printed on one stream, with when each piece arrived. */
  private static final class TimedCapture extends OutputStream {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final java.util.List<long[]> ends = new java.util.ArrayList<>();
    private final java.util.List<Instant> times = new java.util.ArrayList<>();
    private TimedCapture other;

    TimedCapture and(TimedCapture err) {
      this.other = err;
      return this;
    }

    @Override
    public synchronized void write(int b) {
      bytes.write(b);
      stamp();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      bytes.write(b, off, len);
      stamp();
    }

    private void stamp() {
      ends.add(new long[] {bytes.size()});
      times.add(Instant.now());
    }

    synchronized String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }

    /** When the piece holding the end of the first occurrence of {@code s} arrived. */
    synchronized Instant arrivalOf(String s) {
      int at = text().indexOf(s);
      assertThat(at)
          .as("output containing " + s.substring(0, Math.min(40, s.length())))
          .isNotNegative();
      long end = at + s.getBytes(StandardCharsets.UTF_8).length;
      for (int i = 0; i < ends.size(); i++) {
        if (ends.get(i)[0] >= end) {
          return times.get(i);
        }
      }
      throw new AssertionError("no arrival recorded");
    }

    <T> T around(java.util.function.Supplier<T> body) {
      PrintStream out = System.out;
      PrintStream err = System.err;
      System.setOut(new PrintStream(this, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(other, true, StandardCharsets.UTF_8));
      try {
        return body.get();
      } finally {
        System.setOut(out);
        System.setErr(err);
      }
    }
  }

  /** What a fixture leaves to run at its JVM's exit. */
  interface AtExit {
    void run() throws Exception;
  }

  /** Registers {@code step} as a shutdown hook of the child JVM. */
  static void atExit(AtExit step) {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    step.run();
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                }));
  }

  /** Run only through the test above. */
  static class HangingHook {
    @Test
    @Sandbox(timeout = "3s")
    void hangsAtExit() {
      hangAtExit();
    }
  }

  /** Run only through the test above: its deadline (5 min) is later than its class's end. */
  static class HangingHookLongDeadline {
    @Test
    @Sandbox(timeout = "5m")
    void hangsAtExit() {
      hangAtExit();
    }
  }

  /** A shutdown hook that waits for a {@code sleep} named by the outer test's marker. */
  static void hangAtExit() {
    String marker = System.getProperty("nsjunit.test.sleepMarker");
    atExit(() -> new ProcessBuilder("sleep", marker).start().waitFor());
  }

  /** Run only through the tests above. */
  @FreshPid
  static class Cases {
    @Test
    void printsAndExitsSlowly() throws Exception {
      String marker = System.getProperty("nsjunit.test.sleepMarker");
      atExit(
          () -> {
            // Lives as long as the sandbox: gone only when the sandbox is torn down.
            new ProcessBuilder("sleep", marker).start();
            Thread.sleep(Long.parseLong(System.getProperty(HOOK_DELAY)));
            System.out.println(HOOK_RAN);
            System.out.flush();
            Runtime.getRuntime().halt(3);
          });
      // Without a newline at the end: part of it is still in System.out's buffer when we return.
      System.out.print("x".repeat(200_000) + "|");
      System.err.println(LAST_WORDS);
    }

    @Test
    void closesStdout() throws Exception {
      new java.io.FileOutputStream(java.io.FileDescriptor.out).close();
      System.err.println("stderr still open");
    }
  }
}
