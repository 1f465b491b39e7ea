package dev.nsjunit.internal.lab;

import static dev.nsjunit.internal.lab.NetworkTesting.channelIn;
import static dev.nsjunit.internal.lab.NetworkTesting.closeQuietly;
import static dev.nsjunit.internal.lab.NetworkTesting.elapsedMs;
import static dev.nsjunit.internal.lab.NetworkTesting.launcher;
import static dev.nsjunit.internal.lab.NetworkTesting.serverIn;
import static dev.nsjunit.internal.lab.NetworkTesting.startLab;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real namespaces, real veths and bridges, real TCP traffic between lab hosts. */
class LabTest {
  private static final int PORT = 7000;
  private Set<String> hostLinksBefore;
  private Lab lab;

  @BeforeEach
  void rememberHostLinks() {
    hostLinksBefore = NetworkTesting.hostLinks();
  }

  @AfterEach
  void closeLabAndCheckNothingLeaks() {
    if (lab != null) {
      NetworkTesting.closeAndAssertItsProcessesGone(lab);
      System.out.println(
          "Lab.close() took " + lab.closeDuration().orElseThrow().toMillis() + " ms");
    }
    assertThat(NetworkTesting.hostLinks()).isEqualTo(hostLinksBefore);
  }

  private Lab twoHosts(LinkSpec link) {
    lab = startLab(List.of("client", "server"), link);
    return lab;
  }

  @Test
  void hostsGetOneAddressEachFromTheSubnetAndAnEtcHostsNamingThem() {
    twoHosts(LinkSpec.between("client", "server"));
    assertThat(lab.address("client").getHostAddress()).isEqualTo("10.213.0.1");
    assertThat(lab.address("server").getHostAddress()).isEqualTo("10.213.0.2");
    assertThat(lab.etcHosts())
        .startsWith("127.0.0.1\tlocalhost\n")
        .contains("10.213.0.1\tclient\n", "10.213.0.2\tserver\n");
    assertThat(lab.netns("client")).isNotEqualTo(lab.netns("server"));
  }

  @Test
  void twoLinkedHostsExchangeBytesOverTcp() throws Exception {
    twoHosts(LinkSpec.between("client", "server"));
    try (ServerSocket server = serverIn(lab, "server", PORT);
        Socket client = connect("client", "server", 2000)) {
      try (Socket accepted = server.accept()) {
        client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(accepted.getInputStream().readNBytes(4), StandardCharsets.US_ASCII))
            .isEqualTo("ping");
        assertThat(accepted.getInetAddress()).isEqualTo(lab.address("client"));
      }
    }
  }

  @Test
  void httpClientInOneHostReachesHttpServerInAnotherByName(@TempDir Path tmp) throws Exception {
    twoHosts(LinkSpec.between("client", "server"));
    HttpServer http =
        NetNamespaces.callInside(
            lab.netns("server"),
            "HttpServer in server",
            () -> HttpServer.create(new InetSocketAddress(lab.address("server"), 8080), 0));
    http.createContext(
        "/hello",
        ex -> {
          byte[] body =
              ("hello from " + ex.getLocalAddress().getAddress().getHostAddress())
                  .getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream o = ex.getResponseBody()) {
            o.write(body);
          }
        });
    http.start();
    try {
      Path hosts = Files.writeString(tmp.resolve("hosts"), lab.etcHosts());
      Process p =
          new ProcessBuilder(
                  launcher().toString(),
                  "--join-holder",
                  lab.holderSocket("client").toString(),
                  "--mount",
                  "--bind-ro",
                  hosts + ":/etc/hosts",
                  "--",
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  HttpGetMain.class.getName(),
                  "http://server:8080/hello")
              .redirectErrorStream(true)
              .start();
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      }
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(out).isEqualTo("200 hello from 10.213.0.2");
    } finally {
      http.stop(0);
    }
  }

  @Test
  void partitionMakesConnectTimeOutSilentlyAndHealRestoresIt() throws Exception {
    twoHosts(LinkSpec.between("client", "server"));
    try (ServerSocket server = serverIn(lab, "server", PORT)) {
      closeQuietly(connect("client", "server", 2000));
      LinkControl link = lab.link("client", "server");
      link.partition();

      long start = System.nanoTime();
      assertThatThrownBy(() -> connect("client", "server", 1500))
          .isInstanceOf(SocketTimeoutException.class);
      long took = elapsedMs(start);
      System.out.println(
          "connect across a partition: SocketTimeoutException after "
              + took
              + " ms (timeout 1500)");
      assertThat(took)
          .as("a partition is silent: the connect waits for its timeout")
          .isGreaterThanOrEqualTo(1400L);

      link.heal();
      start = System.nanoTime();
      closeQuietly(connect("client", "server", 2000));
      System.out.println("connect after heal: " + elapsedMs(start) + " ms");
    }
  }

  @Test
  void aPartitionStallsAnOpenConnectionUntilHealThenTcpDeliversWhatWasSent() throws Exception {
    twoHosts(LinkSpec.between("client", "server"));
    try (ServerSocket server = serverIn(lab, "server", PORT);
        Socket client = connect("client", "server", 2000);
        Socket accepted = server.accept()) {
      lab.link("client", "server").partition();
      accepted.getOutputStream().write('x');
      client.setSoTimeout(1000);
      long start = System.nanoTime();
      assertThatThrownBy(() -> client.getInputStream().read())
          .isInstanceOf(SocketTimeoutException.class);
      System.out.println(
          "read across a partition: SocketTimeoutException after "
              + elapsedMs(start)
              + " ms (soTimeout 1000)");

      lab.link("client", "server").heal();
      client.setSoTimeout(10_000);
      start = System.nanoTime();
      assertThat(client.getInputStream().read()).isEqualTo('x');
      System.out.println(
          "byte sent during the partition arrived "
              + elapsedMs(start)
              + " ms after heal (TCP retransmit)");
    }
  }

  @Test
  void oneWayPartitionDropsOnlyOneDirection() throws Exception {
    twoHosts(LinkSpec.between("client", "server"));
    lab.link("client", "server").partitionOneWay("client", "server");
    try (var server = udpIn("server");
        var client = udpIn("client")) {
      send(server, "server", "client"); // server -> client: flows
      send(client, "client", "server"); // client -> server: dropped
      assertThat(receive(client, 1000)).isEqualTo("from server");
      assertThat(receive(server, 500)).isNull();
    }
    assertThatThrownBy(() -> connect("client", "server", 800))
        .isInstanceOf(SocketTimeoutException.class);
  }

  @Test
  void downFailsAtOnceWithNetworkUnreachableAndUpRestores() throws Exception {
    twoHosts(LinkSpec.between("client", "server"));
    try (ServerSocket server = serverIn(lab, "server", PORT)) {
      LinkControl link = lab.link("client", "server");
      link.down();
      long start = System.nanoTime();
      // The kernel's immediate answer: a silent drop would end in a SocketTimeoutException after 5
      // s.
      assertThatThrownBy(() -> connect("client", "server", 5000))
          .isInstanceOf(SocketException.class)
          .isNotInstanceOf(SocketTimeoutException.class)
          .hasMessageContaining("Network is unreachable");
      System.out.println(
          "connect over a link that is down: 'Network is unreachable' after "
              + elapsedMs(start)
              + " ms");

      link.up();
      closeQuietly(connect("client", "server", 3000));
    }
  }

  @Test
  void rateSlowsATransferMeasurably() throws Exception {
    twoHosts(LinkSpec.between("client", "server"));
    int bytes = 1_000_000;
    long fast = transfer(bytes);
    lab.link("client", "server").rate("10mbit");
    long slow = transfer(bytes);
    lab.link("client", "server").clearRate();
    long fastAgain = transfer(bytes);
    System.out.printf(
        "1 MB server->client: %d ms unlimited, %d ms at 10mbit, %d ms after clearRate%n",
        fast, slow, fastAgain);
    assertThat(slow).as("1 MB at 10 Mbit/s needs about 800 ms").isGreaterThanOrEqualTo(600L);
    assertThat(slow).isGreaterThan(3 * Math.max(fast, fastAgain));
  }

  @Test
  void aRateDeclaredInTheSpecAppliesFromTheStart() throws Exception {
    twoHosts(LinkSpec.between("client", "server").rate("10mbit"));
    long slow = transfer(500_000);
    System.out.println("0.5 MB at a declared 10mbit: " + slow + " ms");
    assertThat(slow).as("0.5 MB at 10 Mbit/s needs about 400 ms").isGreaterThanOrEqualTo(300L);
  }

  @Test
  void aLanOfThreeHostsThroughABridgeWithPartitionsBetweenPairs() throws Exception {
    lab = startLab(List.of("a", "b", "c"), LinkSpec.between("a", "b", "c"));
    for (String from : List.of("a", "b", "c")) {
      for (String to : List.of("a", "b", "c")) {
        if (!from.equals(to)) {
          try (ServerSocket s = serverIn(lab, to, PORT)) {
            closeQuietly(connect(from, to, 2000));
          }
        }
      }
    }
    lab.link("a", "b").partition();
    try (ServerSocket s = serverIn(lab, "b", PORT)) {
      assertThatThrownBy(() -> connect("a", "b", 800)).isInstanceOf(SocketTimeoutException.class);
      closeQuietly(connect("c", "b", 2000));
    }
    try (ServerSocket s = serverIn(lab, "c", PORT)) {
      closeQuietly(connect("a", "c", 2000));
    }
    lab.link("a", "b").heal();
    try (ServerSocket s = serverIn(lab, "b", PORT)) {
      closeQuietly(connect("a", "b", 2000));
    }
  }

  @Test
  void hostsReachOnlyTheHostsTheyAreLinkedTo() throws Exception {
    lab = startLab(List.of("a", "b", "c"), LinkSpec.between("a", "b"), LinkSpec.between("b", "c"));
    try (ServerSocket s = serverIn(lab, "c", PORT)) {
      closeQuietly(connect("b", "c", 2000));
      assertThatThrownBy(() -> connect("a", "c", 2000))
          .isInstanceOf(SocketException.class)
          .hasMessageContaining("Network is unreachable");
    }
    // No default route either: an address no host has is unreachable (no packet leaves).
    assertThatThrownBy(() -> connect("a", "10.213.255.254", 2000))
        .isInstanceOf(SocketException.class)
        .hasMessageContaining("Network is unreachable");
  }

  @Test
  void netemOnAKernelWithoutItFailsNamingTheModule() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Lab.netemMissing().isPresent(), "this kernel has netem");
    twoHosts(LinkSpec.between("client", "server"));
    assertThatThrownBy(
            () ->
                lab.link("client", "server")
                    .netem(Netem.NONE.withDelay(java.time.Duration.ofMillis(40))))
        .isInstanceOf(NetemUnavailableException.class)
        .hasMessageContaining("sch_netem")
        .hasMessageContaining("modprobe sch_netem");
    Lab withNetem = null;
    try {
      assertThatThrownBy(
              () -> startLab(List.of("x", "y"), LinkSpec.between("x", "y").delay("40ms")))
          .isInstanceOf(NetemUnavailableException.class)
          .hasMessageContaining("modprobe sch_netem");
    } finally {
      closeQuietly(withNetem);
    }
  }

  // ---- helpers: sockets opened inside the lab's namespaces ----

  private Socket connect(String from, String to, int timeoutMs) throws IOException {
    var channel = channelIn(lab, from);
    Socket s = channel.socket();
    try {
      var target = to.matches("[\\d.]+") ? java.net.InetAddress.getByName(to) : lab.address(to);
      s.connect(new InetSocketAddress(target, PORT), timeoutMs);
      return s;
    } catch (IOException | RuntimeException e) {
      closeQuietly(s);
      throw e;
    }
  }

  /** Milliseconds for {@code bytes} from server to client over TCP. */
  private long transfer(int bytes) throws Exception {
    try (ServerSocket server = serverIn(lab, "server", PORT)) {
      Thread sender =
          new Thread(
              () -> {
                try (Socket s = server.accept();
                    OutputStream o = s.getOutputStream()) {
                  o.write(new byte[bytes]);
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      sender.start();
      try (Socket c = connect("client", "server", 2000)) {
        long start = System.nanoTime();
        byte[] got = c.getInputStream().readAllBytes();
        long ms = elapsedMs(start);
        assertThat(got).hasSize(bytes);
        sender.join();
        return ms;
      }
    }
  }

  private java.nio.channels.DatagramChannel udpIn(String host) {
    var addr = lab.address(host);
    return NetNamespaces.callInside(
        lab.netns(host),
        "udp in " + host,
        () -> {
          var ch = java.nio.channels.DatagramChannel.open();
          ch.bind(new InetSocketAddress(addr, 7001));
          return ch;
        });
  }

  /**
   * A datagram "from NAME" from {@code from} (the channel of host {@code fromName}) to host {@code
   * to}.
   */
  private void send(java.nio.channels.DatagramChannel from, String fromName, String to)
      throws IOException {
    from.send(
        java.nio.ByteBuffer.wrap(("from " + fromName).getBytes(StandardCharsets.US_ASCII)),
        new InetSocketAddress(lab.address(to), 7001));
  }

  private static String receive(java.nio.channels.DatagramChannel ch, int timeoutMs)
      throws IOException {
    ch.socket().setSoTimeout(timeoutMs);
    byte[] buf = new byte[100];
    var p = new java.net.DatagramPacket(buf, buf.length);
    try {
      ch.socket().receive(p);
      return new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII);
    } catch (SocketTimeoutException e) {
      return null;
    }
  }
}
