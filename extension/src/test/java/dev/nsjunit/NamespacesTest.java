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
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Each namespace annotation gives the test what it promises, checked from inside. */
class NamespacesTest {

  @Test
  void isolatedNetnsHasOnlyLoopbackAndCannotReachTheHostsServices() throws Exception {
    try (ServerSocket hostService = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      SandboxKit.Run run =
          SandboxKit.runMethodWithProperties(Cases.class, "network", hostPort(hostService))
              .assertAllPassed(1);
      assertThat(run.stdout()).contains("interfaces=[lo]");
    }
  }

  @Test
  void hostnameIsSetInsideAndUnchangedOutside() throws Exception {
    String before = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    assertThat(before)
        .as("this machine's hostname, or the test below proves nothing")
        .isNotEqualTo("node-1");
    SandboxKit.runMethod(Cases.class, "hostname").assertAllPassed(1);
    assertThat(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip()).isEqualTo(before);
  }

  @Test
  void isolatedIpcIsANewIpcNamespace() throws Exception {
    SandboxKit.runMethodWithProperties(
            Cases.class,
            "ipc",
            Map.of(
                "fixture.hostIpcNs",
                Files.readSymbolicLink(Path.of("/proc/self/ns/ipc")).toString()))
        .assertAllPassed(1);
  }

  /**
   * The offsets are measured against this JVM's clocks read just before the sandbox starts (the
   * kernel's clocks are the same for every namespace, minus the offsets): a threshold alone would
   * be met by a machine that has simply been up for 30 days.
   */
  @Test
  void clockOffsetMovesMonotonicAndBoottimeButNotTheWallClock() throws Exception {
    SandboxKit.runMethodWithProperties(
            Cases.class,
            "clocks",
            Map.of(
                "fixture.hostNanoTime", Long.toString(System.nanoTime()),
                "fixture.hostUptimeMillis", Long.toString(uptimeMillis()),
                "fixture.hostWallMillis", Long.toString(System.currentTimeMillis())))
        .assertAllPassed(1);
  }

  /**
   * CLOCK_BOOTTIME as /proc/uptime shows it (a time namespace shifts it by its boottime offset).
   */
  static long uptimeMillis() throws Exception {
    return (long)
        (Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]) * 1000);
  }

  @Test
  void sandboxAnnotationCombinesNamespacesWithItsHostname() {
    SandboxKit.runMethod(Cases.class, "everything").assertAllPassed(1);
  }

  /** The kernel takes offsets to the nanosecond; "1500ms" must not become one second. */
  @Test
  void clockOffsetsBelowASecondAreAppliedExactly() {
    SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "subSecondClocks");
    run.assertAllPassed(1);
    assertThat(run.stdout()).contains("offsets=monotonic 1 500000000|boottime -1 750000000|");
  }

  /**
   * The user guide: where an annotation holds one value, the one nearest to the test wins. A
   * hostname is such a value, whether given by @Hostname or by @Sandbox(hostname); on the same
   * element @Hostname wins, and @Sandbox without a hostname gives none.
   */
  @Test
  void theHostnameNearestToTheTestWinsWhetherFromHostnameOrSandbox() {
    SandboxKit.Run run = SandboxKit.run(HostnamePrecedence.class);
    run.assertAllPassed(4);
    assertThat(run.stdout())
        .contains("sandboxOnMethod=from-method")
        .contains("sandboxWithoutHostnameOnMethod=from-class")
        .contains("bothOnMethod=from-hostname")
        .contains("nested=from-nested-sandbox");
  }

  @Test
  void twoIsolatedTestsBindTheSamePort() throws Exception {
    // This JVM holds the port on the host; the sandbox binds it again in its own namespace.
    try (ServerSocket held = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      SandboxKit.runMethodWithProperties(Cases.class, "network", hostPort(held)).assertAllPassed(1);
    }
  }

  /**
   * The port of a service on the host, which the fixture "network" must not reach from its
   * namespace.
   */
  private static Map<String, String> hostPort(ServerSocket service) {
    return Map.of("fixture.hostPort", Integer.toString(service.getLocalPort()));
  }

  static class Cases {
    @org.junit.jupiter.api.Test
    @IsolatedNetns
    void network() throws Exception {
      int port = Integer.parseInt(System.getProperty("fixture.hostPort"));
      String names =
          Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
              .map(NetworkInterface::getName)
              .sorted()
              .collect(Collectors.toList())
              .toString();
      System.out.println("interfaces=" + names);
      assertThat(names).isEqualTo("[lo]");
      assertThatThrownBy(
              () -> {
                try (Socket s = new Socket()) {
                  s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
                }
              })
          .isInstanceOf(ConnectException.class);
      try (ServerSocket same = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
        assertThat(same.getLocalPort()).isEqualTo(port);
      }
    }

    @org.junit.jupiter.api.Test
    @Hostname("node-1")
    void hostname() throws Exception {
      assertThat(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip())
          .isEqualTo("node-1");
    }

    @org.junit.jupiter.api.Test
    @IsolatedIpc
    void ipc() throws Exception {
      String host = System.getProperty("fixture.hostIpcNs");
      assertThat(host).as("the host's IPC namespace, forwarded by the test").startsWith("ipc:[");
      String inside = Files.readSymbolicLink(Path.of("/proc/self/ns/ipc")).toString();
      assertThat(inside).startsWith("ipc:[").isNotEqualTo(host);
    }

    @org.junit.jupiter.api.Test
    @ClockOffset(monotonic = "+30d", boottime = "+40d")
    void clocks() throws Exception {
      long nanos = System.nanoTime();
      long uptime = uptimeMillis();
      long wall = System.currentTimeMillis();
      // What passed since the parent read its clocks (JVM start, launch): well below this margin.
      Duration margin = Duration.ofMinutes(10);
      Duration monotonicAhead =
          Duration.ofNanos(nanos - Long.parseLong(System.getProperty("fixture.hostNanoTime")));
      assertThat(monotonicAhead).isBetween(Duration.ofDays(30), Duration.ofDays(30).plus(margin));
      Duration boottimeAhead =
          Duration.ofMillis(
              uptime - Long.parseLong(System.getProperty("fixture.hostUptimeMillis")));
      // /proc/uptime has 10 ms steps
      assertThat(boottimeAhead)
          .isBetween(Duration.ofDays(40).minusMillis(20), Duration.ofDays(40).plus(margin));
      // The wall clock is not namespaced: it went on from the parent's reading.
      Duration wallAhead =
          Duration.ofMillis(wall - Long.parseLong(System.getProperty("fixture.hostWallMillis")));
      assertThat(wallAhead).isBetween(Duration.ZERO, margin);
    }

    @org.junit.jupiter.api.Test
    @ClockOffset(monotonic = "1500ms", boottime = "-250ms")
    void subSecondClocks() throws Exception {
      String offsets =
          Files.readString(Path.of("/proc/self/timens_offsets")).trim().replaceAll("[ \\t]+", " ");
      System.out.println("offsets=" + offsets.replace('\n', '|') + "|");
    }

    @org.junit.jupiter.api.Test
    @Sandbox
    void everything() throws Exception {
      assertThat(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip())
          .isEqualTo("sandbox");
      assertThat(Collections.list(NetworkInterface.getNetworkInterfaces()))
          .extracting(NetworkInterface::getName)
          .containsExactly("lo");
      assertThat(ProcessHandle.current().pid()).isEqualTo(2);
    }
  }

  static String hostname() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Hostname("from-class")
  static class HostnamePrecedence {
    @org.junit.jupiter.api.Test
    @Sandbox(hostname = "from-method")
    void sandboxOnMethod() {
      System.out.println("sandboxOnMethod=" + hostname());
    }

    @org.junit.jupiter.api.Test
    @Sandbox(timeout = "5m")
    void sandboxWithoutHostnameOnMethod() {
      System.out.println("sandboxWithoutHostnameOnMethod=" + hostname());
    }

    @org.junit.jupiter.api.Test
    @Sandbox(hostname = "from-sandbox")
    @Hostname("from-hostname")
    void bothOnMethod() {
      System.out.println("bothOnMethod=" + hostname());
    }

    @org.junit.jupiter.api.Nested
    @Sandbox(hostname = "from-nested-sandbox")
    class Inner {
      @org.junit.jupiter.api.Test
      void nested() {
        System.out.println("nested=" + hostname());
      }
    }
  }
}
