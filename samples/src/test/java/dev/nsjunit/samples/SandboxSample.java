package dev.nsjunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.Sandbox;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * A whole class in sandboxes (each test its own): pid, network, IPC and UTS namespaces, a hostname,
 * and a hard time limit. {@code @BeforeEach} runs inside, with the test.
 */
@Sandbox(hostname = "worker", timeout = "2m")
class SandboxSample {
  long pidInBeforeEach;

  @BeforeEach
  void rememberPid() {
    pidInBeforeEach = ProcessHandle.current().pid();
  }

  @Test
  void everythingIsolatedAtOnce() throws Exception {
    assertThat(pidInBeforeEach).isEqualTo(2);
    assertThat(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip()).isEqualTo("worker");
    assertThat(Collections.list(NetworkInterface.getNetworkInterfaces())).hasSize(1);
  }

  @Nested
  class NestedTestsToo {
    @Test
    void areIsolated() {
      assertThat(ProcessHandle.current().pid()).isEqualTo(2);
    }
  }
}
