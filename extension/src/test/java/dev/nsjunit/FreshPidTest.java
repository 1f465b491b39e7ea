package dev.nsjunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.nsjunit.testing.HostProcesses;
import dev.nsjunit.testing.SandboxKit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class FreshPidTest {

  @Test
  void sandboxedTestSeesTheLauncherAsPid1AndOnlyItsOwnProcesses() {
    SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "looksAround").assertAllPassed(1);
    assertThat(run.stdout()).contains("pid=2").contains("pid1=").contains("nsjunit-launch");
  }

  @Test
  void aFailingAssertionInTheSandboxFailsTheTest() {
    SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "expectsToBePid1");
    run.results()
        .testEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                test("expectsToBePid1"),
                finishedWithFailure(
                    instanceOf(AssertionFailedError.class),
                    message(m -> m.contains("expected: <1> but was: <2>")))));
  }

  @Test
  void processesTheTestLeftRunningAreGoneWhenItEnds() throws Exception {
    String marker = HostProcesses.sleepMarker();
    SandboxKit.runMethodWithProperties(
            Cases.class, "leavesASleeperBehind", Map.of("fixture.sleepMarker", marker))
        .assertAllPassed(1);
    assertThat(HostProcesses.awaitNoneWithArgument(marker, 5_000))
        .as("processes left by the test")
        .isEmpty();
  }

  @Test
  void nonIsolatedTestsStillRunInThisJvm() {
    SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "notIsolated").assertAllPassed(1);
    assertThat(run.stdout()).contains("notIsolated ran in pid " + ProcessHandle.current().pid());
  }

  static class Cases {
    @org.junit.jupiter.api.Test
    @FreshPid
    void looksAround() throws Exception {
      String pid1 =
          new String(Files.readAllBytes(Path.of("/proc/1/cmdline")), StandardCharsets.UTF_8)
              .replace('\0', ' ');
      String all =
          ProcessHandle.allProcesses()
              .map(p -> Long.toString(p.pid()))
              .collect(Collectors.joining(","));
      System.out.println("pid=" + ProcessHandle.current().pid() + " pid1=" + pid1 + " all=" + all);
      assertThat(ProcessHandle.current().pid()).isEqualTo(2);
      assertThat(pid1).contains("nsjunit-launch");
      assertThat(ProcessHandle.allProcesses().count())
          .as("processes visible: " + all)
          .isLessThanOrEqualTo(3);
    }

    @org.junit.jupiter.api.Test
    @FreshPid
    void expectsToBePid1() {
      org.junit.jupiter.api.Assertions.assertEquals(1, ProcessHandle.current().pid());
    }

    @org.junit.jupiter.api.Test
    @FreshPid
    void leavesASleeperBehind() throws Exception {
      Process p = new ProcessBuilder("sleep", System.getProperty("fixture.sleepMarker")).start();
      assertThat(p.isAlive()).isTrue();
    }

    @org.junit.jupiter.api.Test
    void notIsolated() {
      System.out.println("notIsolated ran in pid " + ProcessHandle.current().pid());
      assertThat(System.getProperty("nsjunit.sandboxed")).isNull();
    }
  }
}
