package dev.nsjunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.FreshPid;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A test in its own process tree: PID 1 is the nsjunit launcher, the test's JVM is PID 2, and
 * whatever the test leaves running dies with it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FreshPidSample {
  // The forgotten server's name, unique to this build. A sandbox gets this JVM's system
  // properties, so the test inside and the check outside agree on it.
  static final Object SERVER =
      System.getProperties()
          .computeIfAbsent(
              "sample.forgottenServer", key -> "3600." + ProcessHandle.current().pid());

  @Test
  @FreshPid
  void seesOnlyItsOwnProcesses() throws Exception {
    String pid1 = Files.readString(Path.of("/proc/1/cmdline")).replace('\0', ' ');
    System.out.println("PID 1 in this sandbox: " + pid1.substring(0, Math.min(80, pid1.length())));
    System.out.println(
        "this JVM: PID "
            + ProcessHandle.current().pid()
            + ", processes visible: "
            + ProcessHandle.allProcesses().count());

    assertThat(pid1).contains("nsjunit-launch");
    assertThat(ProcessHandle.current().pid()).isEqualTo(2);
  }

  @Test
  @Order(1)
  @FreshPid
  void forgetsAServerRunning() throws Exception {
    Process server = new ProcessBuilder("sleep", SERVER.toString()).start(); // no cleanup code
    assertThat(server.isAlive()).isTrue();
  }

  @Test
  @Order(2)
  void theForgottenServerDiedWithItsTest() {
    // Not isolated: this looks at the build machine's processes. When the test above ended, the
    // kernel killed everything in its pid namespace.
    assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse("")))
        .noneMatch(command -> command.endsWith("sleep " + SERVER));
  }
}
