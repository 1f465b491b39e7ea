package dev.nsjunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.FreshPid;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A test in its own process tree: PID 1 is the nsjunit launcher, the test's JVM is PID 2. */
class FreshPidSample {

  @Test
  @FreshPid
  void seesOnlyItsOwnProcesses() throws Exception {
    String pid1 = Files.readString(Path.of("/proc/1/cmdline")).replace('\0', ' ');
    System.out.println("PID 1 in this sandbox: " + pid1.substring(0, Math.min(80, pid1.length())));
    System.out.println("this JVM: PID " + ProcessHandle.current().pid()
        + ", processes visible: " + ProcessHandle.allProcesses().count());

    assertThat(pid1).contains("nsjunit-launch");
    assertThat(ProcessHandle.current().pid()).isEqualTo(2);
  }

  @Test
  @FreshPid
  void aServerLeftRunningDiesWithTheTest() throws Exception {
    // No cleanup code: when the test ends, the kernel kills everything in its pid namespace.
    Process forgotten = new ProcessBuilder("sleep", "3600").start();
    assertThat(forgotten.isAlive()).isTrue();
  }
}
