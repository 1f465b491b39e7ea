package dev.nsjunit.network;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.HostProcess;
import dev.nsjunit.Link;
import dev.nsjunit.Network;
import dev.nsjunit.OnHost;
import dev.nsjunit.Topology;
import dev.nsjunit.testing.SandboxKit;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A seeded emulated link (TUN pair with a relay) loses the same packets in two runs, works without
 * netem, and a test that fails over it prints the seed that replays it.
 */
class EmulatedLinkReplayTest {

  static String received(SandboxKit.Run run) {
    return run.stdout().lines().filter(l -> l.startsWith("received ")).findFirst().orElseThrow();
  }

  @Test
  void aSeededLossyLinkDropsTheSamePacketsInTwoRuns() {
    SandboxKit.Run first =
        SandboxKit.runMethod(Cases.class, "echoesOverALossyLink").assertAllPassed(1);
    SandboxKit.Run second =
        SandboxKit.runMethod(Cases.class, "echoesOverALossyLink").assertAllPassed(1);
    assertThat(received(second)).isEqualTo(received(first));
    SandboxKit.Run otherSeed =
        SandboxKit.runMethod(Cases.class, "echoesOverALossyLinkWithAnotherSeed").assertAllPassed(1);
    assertThat(received(otherSeed)).isNotEqualTo(received(first));
  }

  @Test
  void aFailureOverAnEmulatedLinkPrintsItsSeed() {
    SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "failsOverAnEmulatedLink");
    assertThat(run.failureOf("failsOverAnEmulatedLink"))
        .isInstanceOf(AssertionError.class)
        .hasMessage("the retry policy gave up too early");
    assertThat(run.stderr())
        .contains("failed over an emulated link")
        .contains("used seed 7")
        .contains("@Link(between = {\"a\", \"b\"}, emulated = true, seed = 7)");
  }

  static void echo(Network net) throws Exception {
    try (HostProcess echo = net.host("b").startJava(UdpEcho.class, "9999")) {
      // A UDP server has no port to await, and a probe datagram would shift the seeded losses:
      // the echo says when it is bound.
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!echo.output().contains(UdpEcho.BOUND + "9999")) {
        assertThat(echo.isAlive()).as("the echo process, which wrote: " + echo.output()).isTrue();
        assertThat(System.nanoTime())
            .as("the echo did not bind within 30 s: " + echo.output())
            .isLessThan(deadline);
        Thread.sleep(10);
      }
      TreeSet<Integer> back = new TreeSet<>();
      try (DatagramSocket socket = new DatagramSocket()) {
        InetSocketAddress target = new InetSocketAddress("b", 9999);
        for (int i = 0; i < 100; i++) {
          byte[] data = Integer.toString(i).getBytes(StandardCharsets.UTF_8);
          socket.send(new DatagramPacket(data, data.length, target));
          Thread.sleep(2); // keep the order of packets on the wire the order of i
        }
        socket.setSoTimeout(1000);
        byte[] buffer = new byte[64];
        while (true) {
          DatagramPacket p = new DatagramPacket(buffer, buffer.length);
          try {
            socket.receive(p);
          } catch (SocketTimeoutException done) {
            break;
          }
          back.add(
              Integer.parseInt(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8)));
        }
      }
      System.out.println("received " + back);
      assertThat(back.size()).as("a 20% loss each way").isBetween(40, 85);
    }
  }

  static class Cases {
    @org.junit.jupiter.api.Test
    @Topology(
        hosts = {"a", "b"},
        links =
            @Link(
                between = {"a", "b"},
                emulated = true,
                seed = 42,
                loss = "20%"))
    @OnHost("a")
    void echoesOverALossyLink(Network net) throws Exception {
      echo(net);
    }

    @org.junit.jupiter.api.Test
    @Topology(
        hosts = {"a", "b"},
        links =
            @Link(
                between = {"a", "b"},
                emulated = true,
                seed = 43,
                loss = "20%"))
    @OnHost("a")
    void echoesOverALossyLinkWithAnotherSeed(Network net) throws Exception {
      echo(net);
    }

    @org.junit.jupiter.api.Test
    @Topology(
        hosts = {"a", "b"},
        links =
            @Link(
                between = {"a", "b"},
                emulated = true,
                seed = 7,
                delay = "10ms"))
    void failsOverAnEmulatedLink() {
      throw new AssertionError("the retry policy gave up too early");
    }
  }
}
