package dev.nsjunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsjunit.testing.SandboxKit;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Each namespace annotation gives the test what it promises, checked from inside. */
class NamespacesTest {

  @Test
  void isolatedNetnsHasOnlyLoopbackAndCannotReachTheHostsServices() throws Exception {
    try (ServerSocket hostService = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      System.setProperty("fixture.hostPort", Integer.toString(hostService.getLocalPort()));
      SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "network");
      run.results().testEvents().assertStatistics(s -> s.started(1).succeeded(1));
      assertThat(run.stdout()).contains("interfaces=[lo]");
    } finally {
      System.clearProperty("fixture.hostPort");
    }
  }

  @Test
  void hostnameIsSetInsideAndUnchangedOutside() throws Exception {
    String before = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    SandboxKit.runMethod(Cases.class, "hostname").results().testEvents().assertStatistics(s -> s.succeeded(1));
    assertThat(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip()).isEqualTo(before);
  }

  @Test
  void isolatedIpcIsANewIpcNamespace() throws Exception {
    System.setProperty("fixture.hostIpcNs", Files.readSymbolicLink(Path.of("/proc/self/ns/ipc")).toString());
    try {
      SandboxKit.runMethod(Cases.class, "ipc").results().testEvents().assertStatistics(s -> s.succeeded(1));
    } finally {
      System.clearProperty("fixture.hostIpcNs");
    }
  }

  @Test
  void clockOffsetMovesMonotonicAndBoottimeButNotTheWallClock() {
    SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "clocks");
    run.results().testEvents().assertStatistics(s -> s.succeeded(1));
  }

  @Test
  void sandboxAnnotationCombinesNamespacesWithItsHostname() {
    SandboxKit.runMethod(Cases.class, "everything").results().testEvents().assertStatistics(s -> s.succeeded(1));
  }

  @Test
  void twoIsolatedTestsBindTheSamePort() throws Exception {
    // This JVM holds the port on the host; the sandbox binds it again in its own namespace.
    try (ServerSocket held = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      System.setProperty("fixture.hostPort", Integer.toString(held.getLocalPort()));
      SandboxKit.runMethod(Cases.class, "network").results().testEvents().assertStatistics(s -> s.succeeded(1));
    } finally {
      System.clearProperty("fixture.hostPort");
    }
  }

  static class Cases {
    @org.junit.jupiter.api.Test
    @IsolatedNetns
    void network() throws Exception {
      int port = Integer.parseInt(System.getProperty("fixture.hostPort"));
      String names = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
          .map(NetworkInterface::getName).sorted().collect(Collectors.toList()).toString();
      System.out.println("interfaces=" + names);
      assertThat(names).isEqualTo("[lo]");
      assertThatThrownBy(() -> {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
        }
      }).isInstanceOf(ConnectException.class);
      try (ServerSocket same = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
        assertThat(same.getLocalPort()).isEqualTo(port);
      }
    }

    @org.junit.jupiter.api.Test
    @Hostname("node-1")
    void hostname() throws Exception {
      assertThat(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip()).isEqualTo("node-1");
    }

    @org.junit.jupiter.api.Test
    @IsolatedIpc
    void ipc() throws Exception {
      String inside = Files.readSymbolicLink(Path.of("/proc/self/ns/ipc")).toString();
      assertThat(inside).isNotEqualTo(System.getProperty("fixture.hostIpcNs"));
    }

    @org.junit.jupiter.api.Test
    @ClockOffset(monotonic = "+30d", boottime = "+40d")
    void clocks() throws Exception {
      long thirtyDaysNanos = 30L * 86_400 * 1_000_000_000L;
      assertThat(System.nanoTime()).isGreaterThan(thirtyDaysNanos);
      double uptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
      assertThat(uptime).isGreaterThan(40 * 86_400.0);
      // Wall clock: unchanged (within a generous minute of the real year).
      assertThat(java.time.Year.now().getValue()).isGreaterThanOrEqualTo(2024);
    }

    @org.junit.jupiter.api.Test
    @Sandbox
    void everything() throws Exception {
      assertThat(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip()).isEqualTo("sandbox");
      assertThat(Collections.list(NetworkInterface.getNetworkInterfaces())).extracting(NetworkInterface::getName).containsExactly("lo");
      assertThat(ProcessHandle.current().pid()).isEqualTo(2);
    }
  }
}
