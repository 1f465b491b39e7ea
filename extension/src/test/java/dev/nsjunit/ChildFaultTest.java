package dev.nsjunit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.testing.HostProcesses;
import dev.nsjunit.testing.SandboxKit;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The child JVM misbehaves in every way we know; each ends the test with a precise message and
 * leaves nothing behind.
 */
class ChildFaultTest {

  @Test
  void sigstoppedChildIsKilledAtTheHardLimitAndSaysItCouldNotDumpThreads() {
    SandboxFailedException t =
        SandboxKit.runMethod(Cases.class, "stopsItself").sandboxFailureOf("stopsItself");
    assertThat(t.reason()).isEqualTo(SandboxFailedException.Reason.TIMED_OUT);
    assertThat(t.getMessage())
        .contains("Cases.stopsItself() timed out after 10s")
        .contains("did not answer the request for a thread dump");
  }

  @Test
  void childIgnoringSigtermIsStillKilled() {
    SandboxFailedException t =
        SandboxKit.runMethod(Cases.class, "ignoresSigterm").sandboxFailureOf("ignoresSigterm");
    assertThat(t.reason()).isEqualTo(SandboxFailedException.Reason.TIMED_OUT);
    // Killed at the hard limit, while still in the test body (its thread dump shows it sleeping
    // there).
    assertThat(t.getMessage())
        .contains("Cases.ignoresSigterm() timed out after 10s")
        .contains("the whole sandbox was killed")
        .contains("Threads of the child JVM at the timeout:")
        .contains("dev.nsjunit.ChildFaultTest$Cases.ignoresSigterm(ChildFaultTest.java:");
  }

  @Test
  void daemonizedGrandchildDoesNotSurviveTheTest() throws Exception {
    String marker = HostProcesses.sleepMarker();
    SandboxKit.runMethodWithProperties(Cases.class, "daemonizes", Map.of("fixture.marker", marker))
        .assertAllPassed(1);
    assertThat(HostProcesses.awaitNoneWithArgument(marker, 5_000))
        .as("daemon left behind")
        .isEmpty();
  }

  @Test
  void heapExhaustionIsReportedAsTheTestsOwnOutOfMemoryErrorWithoutEndingTheParentsRun() {
    // Not rethrown as a real OutOfMemoryError: JUnit would treat that as unrecoverable here.
    Throwable t = SandboxKit.runMethod(Cases.class, "exhaustsHeap").failureOf("exhaustsHeap");
    assertThat(t).isInstanceOf(SandboxedException.class).hasMessageContaining("Java heap space");
    assertThat(((SandboxedException) t).originalClassName())
        .isEqualTo("java.lang.OutOfMemoryError");
    assertThat(t.getStackTrace()[0].getMethodName()).isEqualTo("exhaustsHeap");
  }

  @Test
  void nativeCrashIsExplainedAsAJvmCrash() {
    SandboxFailedException t =
        SandboxKit.runMethod(Cases.class, "crashesNatively").sandboxFailureOf("crashesNatively");
    assertThat(t.getMessage()).contains("the JVM crashed").contains("SIGSEGV");
  }

  /**
   * The hard limits count from the launch, JVM start included: 10 s lets a child JVM on a busy
   * machine reach the test body first, which is what the checks above are about.
   */
  static class Cases {
    @org.junit.jupiter.api.Test
    @Sandbox(timeout = "10s")
    void stopsItself() throws Exception {
      new ProcessBuilder("kill", "-STOP", Long.toString(ProcessHandle.current().pid()))
          .start()
          .waitFor();
    }

    @org.junit.jupiter.api.Test
    @Sandbox(timeout = "10s")
    void ignoresSigterm() throws Exception {
      sun.misc.Signal.handle(new sun.misc.Signal("TERM"), sig -> {});
      Thread.sleep(60_000);
    }

    @org.junit.jupiter.api.Test
    @FreshPid
    void daemonizes() throws Exception {
      // setsid + double fork: the classic way to escape a parent's process group and session.
      String marker = System.getProperty("fixture.marker");
      new ProcessBuilder("setsid", "sh", "-c", "sleep " + marker + " & exit 0").start().waitFor();
      // The daemon exists and has escaped its parent (the sandbox's reaper, PID 1, adopted it):
      // otherwise "gone after the test" below would prove nothing. Its shell may exit before it
      // has exec'd sleep: wait for that.
      ProcessHandle daemon = null;
      for (long deadline = System.nanoTime() + 10_000_000_000L; daemon == null; Thread.sleep(10)) {
        daemon =
            ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").endsWith("sleep " + marker))
                .findFirst()
                .orElse(null);
        if (daemon == null && System.nanoTime() > deadline) {
          throw new AssertionError("the daemonized sleep " + marker + " is not running");
        }
      }
      assertThat(daemon.parent().map(ProcessHandle::pid)).hasValue(1L);
    }

    @org.junit.jupiter.api.Test
    @Sandbox(jvmArgs = "-Xmx32m")
    void exhaustsHeap() {
      List<long[]> hog = new ArrayList<>();
      while (true) {
        hog.add(new long[1 << 20]);
      }
    }

    @org.junit.jupiter.api.Test
    @Sandbox(jvmArgs = {"-XX:-CreateCoredumpOnCrash", "-XX:ErrorFile=/dev/null"})
    void crashesNatively() throws Exception {
      Field f = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
      f.setAccessible(true);
      ((sun.misc.Unsafe) f.get(null)).putAddress(0, 42);
    }
  }
}
