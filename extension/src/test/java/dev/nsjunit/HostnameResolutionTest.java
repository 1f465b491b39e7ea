package dev.nsjunit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.testing.SandboxKit;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A sandbox's own hostname resolves, as in a container: logging frameworks, Kafka and Hazelcast
 * call {@code InetAddress.getLocalHost()} at start, which failed with "Temporary failure in name
 * resolution" under {@code @Hostname} and in an isolated network (no DNS there).
 */
class HostnameResolutionTest {

  @Test
  void ownHostnameResolvesToLoopbackAndTheMachinesEntriesStay() {
    SandboxKit.runMethod(Cases.class, "hostnameResolves").assertAllPassed(1);
  }

  @Test
  void machineHostnameResolvesInAnIsolatedNetwork() {
    SandboxKit.runMethod(Cases.class, "machineNameResolvesWithoutDns").assertAllPassed(1);
  }

  @Test
  void theMachinesHostsFileIsNotChanged() throws Exception {
    String before = Files.readString(Path.of("/etc/hosts"));
    SandboxKit.runMethod(Cases.class, "hostnameResolves").assertAllPassed(1);
    assertThat(Files.readString(Path.of("/etc/hosts")))
        .isEqualTo(before)
        .doesNotContain("fixture-broker-7");
  }

  static class Cases {
    @Test
    @Hostname("fixture-broker-7")
    void hostnameResolves() throws Exception {
      assertThat(ProcessHandle.current().pid()).isEqualTo(2);
      InetAddress local = InetAddress.getLocalHost();
      assertThat(local.getHostName()).isEqualTo("fixture-broker-7");
      assertThat(local.isLoopbackAddress()).isTrue();
      assertThat(Files.readString(Path.of("/etc/hosts"))).contains("localhost");
    }

    @Test
    @IsolatedNetns
    void machineNameResolvesWithoutDns() throws Exception {
      assertThat(ProcessHandle.current().pid()).isEqualTo(2);
      String machine = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
      assertThat(InetAddress.getLocalHost().getHostName()).isEqualTo(machine);
    }
  }
}
