package dev.nsjunit.internal.lab;

import static dev.nsjunit.internal.lab.NetworkTesting.startLab;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Emulated links (TUN pair + seeded relay in the JVM) with real UDP traffic between lab hosts. */
class EmulatedLinkTest {
  private static final int PORT = 7001;
  private Set<String> hostLinksBefore;
  private long tunFdsBefore;
  private final List<Lab> labs = new ArrayList<>();

  @BeforeEach
  void rememberHostState() {
    hostLinksBefore = NetworkTesting.hostLinks();
    tunFdsBefore = tunFds();
  }

  @AfterEach
  void closeLabsAndCheckNothingLeaks() {
    for (Lab lab : labs) {
      NetworkTesting.closeAndAssertItsProcessesGone(lab);
    }
    assertThat(relayThreads()).as("relay threads after close").isEmpty();
    assertThat(tunFds()).as("open /dev/net/tun descriptors after close").isEqualTo(tunFdsBefore);
    assertThat(NetworkTesting.hostLinks())
        .as("interfaces of the host namespace")
        .isEqualTo(hostLinksBefore);
  }

  private Lab lab(LinkSpec link) {
    Lab lab = startLab(List.of("a", "b"), link);
    labs.add(lab);
    return lab;
  }

  @Test
  void theSameSeedDropsTheSameDatagramsAndAnotherSeedOthers() throws Exception {
    Set<Integer> lost42 = lostDatagrams(42, 500);
    Set<Integer> lost42again = lostDatagrams(42, 500);
    Set<Integer> lost43 = lostDatagrams(43, 500);
    System.out.printf(
        "loss 20%%, 500 datagrams a->b: seed 42 lost %d %s%n  seed 42 again lost %d%n  seed 43 lost %d %s%n"
            + "  common to 42 and 43: %d%n",
        lost42.size(),
        head(lost42),
        lost42again.size(),
        lost43.size(),
        head(lost43),
        intersection(lost42, lost43).size());
    assertThat(lost42).hasSizeBetween(60, 140);
    assertThat(lost43).hasSizeBetween(60, 140);
    assertThat(lost42again).isEqualTo(lost42);
    assertThat(lost43).isNotEqualTo(lost42);
  }

  /**
   * Sends numbered datagrams a->b over a fresh lab; returns the numbers that did not arrive (and
   * checks the relay's record).
   */
  private Set<Integer> lostDatagrams(long seed, int count) throws Exception {
    Lab lab = lab(LinkSpec.between("a", "b").emulated(seed).loss("20%"));
    Set<Integer> arrived = Collections.synchronizedSet(new TreeSet<>());
    try (DatagramChannel rx = udpIn(lab, "b");
        DatagramChannel tx = udpIn(lab, "a")) {
      Thread receiver = receiver(rx, d -> arrived.add(d.getInt(0)));
      var to = new InetSocketAddress(lab.address("b"), PORT);
      for (int i = 0; i < count; i++) {
        tx.send(ByteBuffer.allocate(4).putInt(0, i), to);
        if (i % 10 == 9) {
          Thread.sleep(1);
        }
      }
      receiver.join(10_000);
    }
    Set<Integer> lost = new TreeSet<>();
    for (int i = 0; i < count; i++) {
      if (!arrived.contains(i)) {
        lost.add(i);
      }
    }
    LinkControl link = lab.link("a", "b");
    EmulatedLink.Traffic t = link.traffic("a", "b");
    System.out.println("  " + t);
    assertThat(link.seed()).hasValue(seed);
    assertThat(link.toString()).contains("seed " + seed);
    assertThat(t.packets()).isEqualTo(count);
    assertThat(t.dropped().stream().map(Long::intValue).toList())
        .as(
            "the datagrams that did not arrive are exactly those the relay dropped (by packet index)")
        .containsExactlyElementsOf(lost);
    return lost;
  }

  @Test
  void delayOnAnEmulatedLinkLengthensTheRoundTrip() throws Exception {
    long plain = roundTripMs(lab(LinkSpec.between("a", "b").emulated(7)));
    long delayed = roundTripMs(lab(LinkSpec.between("a", "b").emulated(7).delay("50ms")));
    System.out.printf(
        "UDP round trip over an emulated link: %d ms without delay, %d ms with delay 50ms%n",
        plain, delayed);
    // The delay is the feature, so a lower bound: 50 ms each way, on top of the link's own time.
    assertThat(delayed).isGreaterThanOrEqualTo(100L).isGreaterThanOrEqualTo(plain + 50);
  }

  @Test
  void worksOnAKernelWithoutNetem() throws Exception {
    Optional<String> missing = Lab.netemMissing();
    System.out.println("netem on this kernel: " + missing.orElse("available"));
    if (missing.isPresent()) {
      assertThatThrownBy(
              () -> startLab(List.of("x", "y"), LinkSpec.between("x", "y").delay("30ms")))
          .isInstanceOf(NetemUnavailableException.class);
    }
    Lab lab = lab(LinkSpec.between("a", "b").emulated(5).delay("30ms").loss("50%"));
    long rtt = roundTripMsRetrying(lab);
    System.out.println(
        "emulated delay 30ms loss 50%: round trip "
            + rtt
            + " ms, "
            + lab.link("a", "b").traffic("a", "b"));
    assertThat(rtt).isGreaterThanOrEqualTo(60);
    assertThat(
            lab.link("a", "b").traffic("a", "b").dropped().size()
                + lab.link("a", "b").traffic("b", "a").dropped().size())
        .isPositive();
  }

  @Test
  void duplicateAndReorderAreAppliedByTheRelayAndRecorded() throws Exception {
    Lab lab =
        lab(LinkSpec.between("a", "b").emulated(11).delay("20ms").duplicate("10%").reorder("25%"));
    List<Integer> arrivals = Collections.synchronizedList(new ArrayList<>());
    try (DatagramChannel rx = udpIn(lab, "b");
        DatagramChannel tx = udpIn(lab, "a")) {
      Thread receiver = receiver(rx, d -> arrivals.add(d.getInt(0)));
      var to = new InetSocketAddress(lab.address("b"), PORT);
      for (int i = 0; i < 200; i++) {
        tx.send(ByteBuffer.allocate(4).putInt(0, i), to);
        Thread.sleep(1);
      }
      receiver.join(10_000);
    }
    EmulatedLink.Traffic t = lab.link("a", "b").traffic("a", "b");
    System.out.println("duplicate 10% reorder 25%: " + t);
    assertThat(arrivals).hasSize(200 + t.duplicated().size());
    assertThat(t.duplicated()).isNotEmpty();
    assertThat(t.reordered()).isNotEmpty();
    int outOfOrder = 0;
    for (int i = 1; i < arrivals.size(); i++) {
      if (arrivals.get(i) < arrivals.get(i - 1)) {
        outOfOrder++;
      }
    }
    System.out.println("  arrivals out of order: " + outOfOrder);
    assertThat(outOfOrder).isPositive();
  }

  @Test
  void partitionHealDownAndUpOnAnEmulatedLink() throws Exception {
    Lab lab = lab(LinkSpec.between("a", "b").emulated(3));
    LinkControl link = lab.link("a", "b");
    try (DatagramChannel rb = udpIn(lab, "b");
        DatagramChannel ra = udpIn(lab, "a")) {
      assertThat(ping(lab, ra, rb, "b")).isTrue();
      link.partitionOneWay("a", "b");
      assertThat(ping(lab, ra, rb, "b")).isFalse();
      assertThat(ping(lab, rb, ra, "a")).as("the other direction still flows").isTrue();
      link.heal();
      assertThat(ping(lab, ra, rb, "b")).isTrue();
      assertThat(link.traffic("a", "b").partitioned()).hasSize(1);

      link.down();
      assertThatThrownBy(
              () ->
                  ra.send(
                      ByteBuffer.wrap(new byte[1]), new InetSocketAddress(lab.address("b"), PORT)))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("unreachable");
      link.up();
      assertThat(ping(lab, ra, rb, "b")).isTrue();

      link.netem(Netem.NONE.withLoss(100));
      assertThat(ping(lab, ra, rb, "b"))
          .as("netem() on an emulated link changes the relay, no sch_netem")
          .isFalse();
      link.clearNetem();
      assertThat(ping(lab, ra, rb, "b")).isTrue();
    }
  }

  @Test
  void corruptFlipsABitThatTheReceiversChecksumCatches() throws Exception {
    Lab lab = lab(LinkSpec.between("a", "b").emulated(9).corrupt("100%"));
    try (DatagramChannel rb = udpIn(lab, "b");
        DatagramChannel ra = udpIn(lab, "a")) {
      assertThat(ping(lab, ra, rb, "b")).isFalse();
      assertThat(lab.link("a", "b").traffic("a", "b").corrupted()).containsExactly(0L);
      assertThat(lab.link("a", "b").traffic("a", "b").delivered()).isEqualTo(1);
    }
  }

  @Test
  void theTunDevicesVanishWithTheRelayWhileTheHostsLive() {
    Lab lab = lab(LinkSpec.between("a", "b").emulated(1));
    try (RtNetlink a = new RtNetlink(NetlinkSocket.openIn(lab.netns("a"), "in host a"));
        RtNetlink b = new RtNetlink(NetlinkSocket.openIn(lab.netns("b"), "in host b"))) {
      assertThat(a.links()).containsKey("eth0");
      assertThat(b.links()).containsKey("eth0");
      assertThat(relayThreads()).hasSize(2).allSatisfy(n -> assertThat(n).contains("seed 1"));
      lab.emulatedLinks().get(0).close();
      assertThat(relayThreads()).isEmpty();
      assertThat(a.links()).containsOnlyKeys("lo");
      assertThat(b.links()).containsOnlyKeys("lo");
    }
  }

  @Test
  void tcpCrossesAnEmulatedLinkAndRateSlowsIt() throws Exception {
    Lab lab = lab(LinkSpec.between("a", "b").emulated(21));
    long fast = tcpTransferMs(lab, 1_000_000);
    lab.link("a", "b").rate("10mbit");
    long slow = tcpTransferMs(lab, 1_000_000);
    System.out.printf(
        "1 MB b->a over TCP on an emulated link: %d ms unlimited, %d ms at 10mbit (tbf on the TUN devices)%n",
        fast, slow);
    // 1 MB at 10 Mbit/s cannot take less than 800 ms (600 for the token bucket's burst).
    assertThat(slow).isGreaterThanOrEqualTo(600L).isGreaterThan(3 * fast);
  }

  /** Milliseconds for {@code bytes} from b to a over TCP. */
  private static long tcpTransferMs(Lab lab, int bytes) throws Exception {
    try (java.net.ServerSocket server = NetworkTesting.serverIn(lab, "b", 7000)) {
      Thread sender =
          new Thread(
              () -> {
                try (java.net.Socket s = server.accept();
                    var o = s.getOutputStream()) {
                  o.write(new byte[bytes]);
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      sender.start();
      try (java.net.Socket c = NetworkTesting.channelIn(lab, "a").socket()) {
        c.connect(new InetSocketAddress(lab.address("b"), 7000), 2000);
        long start = System.nanoTime();
        byte[] got = c.getInputStream().readAllBytes();
        long ms = NetworkTesting.elapsedMs(start);
        assertThat(got).hasSize(bytes);
        sender.join();
        return ms;
      }
    }
  }

  @Test
  void anEmulatedLinkJoinsExactlyTwoHosts() {
    assertThatThrownBy(() -> LinkSpec.between("a", "b", "c").emulated(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exactly two hosts");
    assertThat(LinkSpec.between("a", "b").emulated(99).loss("1%").toString()).contains("seed 99");
  }

  // ---- helpers ----

  /**
   * One datagram from {@code from} (bound in its host) to host {@code toHost}; true if {@code to}
   * got it within 500 ms.
   */
  private static boolean ping(Lab lab, DatagramChannel from, DatagramChannel to, String toHost)
      throws IOException {
    from.send(ByteBuffer.wrap(new byte[] {1}), new InetSocketAddress(lab.address(toHost), PORT));
    to.socket().setSoTimeout(500);
    try {
      to.socket().receive(new java.net.DatagramPacket(new byte[16], 16));
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    }
  }

  /** Milliseconds for one datagram a->b and its echo b->a (median of 5). */
  private static long roundTripMs(Lab lab) throws Exception {
    List<Long> times = new ArrayList<>();
    try (DatagramChannel b = udpIn(lab, "b");
        DatagramChannel a = udpIn(lab, "a")) {
      a.socket().setSoTimeout(2000);
      b.socket().setSoTimeout(2000);
      for (int i = 0; i < 5; i++) {
        times.add(oneRoundTrip(lab, a, b, (byte) i));
      }
    }
    Collections.sort(times);
    return times.get(times.size() / 2);
  }

  /**
   * Like {@link #roundTripMs} on a lossy link: tries until one round trip completes; returns its
   * duration.
   */
  private static long roundTripMsRetrying(Lab lab) throws Exception {
    try (DatagramChannel b = udpIn(lab, "b");
        DatagramChannel a = udpIn(lab, "a")) {
      a.socket().setSoTimeout(300);
      b.socket().setSoTimeout(300);
      for (int i = 0; i < 50; i++) {
        try {
          return oneRoundTrip(lab, a, b, (byte) i);
        } catch (SocketTimeoutException e) {
          // lost one way or the other: try again
        }
      }
    }
    throw new AssertionError("no round trip in 50 tries over " + lab.link("a", "b"));
  }

  /**
   * Milliseconds for datagram {@code n} from {@code a} (bound in host a) to host b and its echo
   * from {@code b} back to host a; a datagram lost either way ends in the sockets' timeout.
   */
  private static long oneRoundTrip(Lab lab, DatagramChannel a, DatagramChannel b, byte n)
      throws IOException {
    long start = System.nanoTime();
    a.send(ByteBuffer.wrap(new byte[] {n}), new InetSocketAddress(lab.address("b"), PORT));
    b.socket().receive(new java.net.DatagramPacket(new byte[16], 16));
    b.send(ByteBuffer.wrap(new byte[] {n}), new InetSocketAddress(lab.address("a"), PORT));
    a.socket().receive(new java.net.DatagramPacket(new byte[16], 16));
    return NetworkTesting.elapsedMs(start);
  }

  /** A thread that hands every datagram to {@code sink} until none came for 500 ms. */
  private static Thread receiver(DatagramChannel rx, java.util.function.Consumer<ByteBuffer> sink)
      throws IOException {
    rx.socket().setSoTimeout(500);
    AtomicBoolean started = new AtomicBoolean();
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[64];
              var p = new java.net.DatagramPacket(buf, buf.length);
              try {
                started.set(true);
                while (true) {
                  rx.socket().receive(p);
                  sink.accept(ByteBuffer.wrap(buf, 0, p.getLength()).slice());
                }
              } catch (IOException e) {
                // timeout: done
              }
            },
            "udp receiver");
    t.setDaemon(true);
    t.start();
    while (!started.get()) {
      Thread.onSpinWait();
    }
    return t;
  }

  private static DatagramChannel udpIn(Lab lab, String host) {
    var addr = lab.address(host);
    return NetNamespaces.callInside(
        lab.netns(host),
        "udp in " + host,
        () -> {
          DatagramChannel ch = DatagramChannel.open();
          ch.socket().setReceiveBufferSize(1 << 20);
          ch.bind(new InetSocketAddress(addr, PORT));
          return ch;
        });
  }

  private static List<String> relayThreads() {
    List<String> names = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(EmulatedLink.THREAD_PREFIX) && t.isAlive()) {
        names.add(t.getName());
      }
    }
    return names;
  }

  private static long tunFds() {
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(
              fd -> {
                try {
                  return Files.readSymbolicLink(fd).toString().equals("/dev/net/tun");
                } catch (IOException e) {
                  return false;
                }
              })
          .count();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String head(Set<Integer> s) {
    List<Integer> l = new ArrayList<>(s);
    return (l.size() <= 15 ? l : l.subList(0, 15)) + (l.size() > 15 ? "..." : "");
  }

  private static Set<Integer> intersection(Set<Integer> x, Set<Integer> y) {
    Set<Integer> r = new TreeSet<>(x);
    r.retainAll(y);
    return r;
  }
}
