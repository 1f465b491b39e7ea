package dev.nsjunit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.testing.SandboxKit;
import org.junit.jupiter.api.Test;

/** A child that never reports explains itself: exit code, signal, timeout, System.exit's caller. */
class DeathTest {

  @Test
  void systemExitIsReportedWithItsCodeAndTheStackOfTheCall() {
    SandboxFailedException e =
        SandboxKit.runMethod(Cases.class, "callsSystemExit").sandboxFailureOf("callsSystemExit");
    assertThat(e.reason()).isEqualTo(SandboxFailedException.Reason.EXITED);
    assertThat(e.getMessage()).contains("called System.exit(3)");
    assertThat(e.getCause()).isNotNull();
    assertThat(e.getCause().getStackTrace()[0].getMethodName()).isEqualTo("callsSystemExit");
  }

  @Test
  void runtimeHaltIsReportedWithItsExitCode() {
    SandboxFailedException e = SandboxKit.runMethod(Cases.class, "halts").sandboxFailureOf("halts");
    assertThat(e.reason()).isEqualTo(SandboxFailedException.Reason.EXITED);
    assertThat(e.getMessage()).contains("exited with code 4").contains("Runtime.halt");
  }

  @Test
  void killedChildNamesTheSignal() {
    SandboxFailedException e =
        SandboxKit.runMethod(Cases.class, "killsItself").sandboxFailureOf("killsItself");
    assertThat(e.reason()).isEqualTo(SandboxFailedException.Reason.KILLED_BY_SIGNAL);
    assertThat(e.getMessage()).contains("killed by signal 9 (SIGKILL)");
    assertThat(e.getMessage()).contains("about to die"); // the stderr tail
  }

  @Test
  void hardTimeoutKillsTheSandboxAndShowsWhereTheTestHung() {
    SandboxFailedException e = SandboxKit.runMethod(Cases.class, "hangs").sandboxFailureOf("hangs");
    assertThat(e.reason()).isEqualTo(SandboxFailedException.Reason.TIMED_OUT);
    // The test's name is in the message anyway: the thread dump is what shows where it hung.
    assertThat(e.getMessage())
        .contains("Cases.hangs() timed out after 10s")
        .contains("Threads of the child JVM at the timeout:")
        .contains("java.lang.Thread.sleep(")
        .contains("dev.nsjunit.DeathTest$Cases.hangs(DeathTest.java:");
  }

  @FreshPid
  static class Cases {
    @org.junit.jupiter.api.Test
    void callsSystemExit() {
      System.exit(3);
    }

    @org.junit.jupiter.api.Test
    void halts() {
      Runtime.getRuntime().halt(4);
    }

    @org.junit.jupiter.api.Test
    void killsItself() throws Exception {
      System.err.println("about to die");
      new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid()))
          .start()
          .waitFor();
      Thread.sleep(10_000);
    }

    @org.junit.jupiter.api.Test
    @Sandbox(
        timeout = "10s") // from the launch, JVM start included: the body must be reached on a busy
    // machine
    void hangs() throws Exception {
      Thread.sleep(600_000);
    }
  }
}
