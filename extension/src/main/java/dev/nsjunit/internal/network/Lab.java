package dev.nsjunit.internal.network;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A running topology: one network namespace per host, held by a {@link NamespaceHolder}, joined
 * by veth pairs (two hosts) or by a bridge in a hidden switch namespace (a LAN of three or more).
 *
 * <p>Addressing: host number i of the spec (from 1) has address subnet+i, the same on each of its
 * links (as a /32 on every link interface), and one /32 route per host it shares a link with, out
 * of that link's interface. So a name means one address everywhere, and a host reaches exactly
 * the hosts it is linked to: there is no default route, no forwarding, and nothing leads to the
 * machine's own network. Every veth is created inside a lab namespace (the peer end placed
 * directly into the other one with IFLA_NET_NS_FD), never in the caller's namespace.
 *
 * <p>An emulated link ({@link LinkSpec#emulated(long)}) is a TUN device in each of its two hosts
 * and an {@link EmulatedLink} relay in this JVM instead of a veth pair; addressing and routes are
 * the same, and its delay, loss and the like are applied by the relay, not netem.
 *
 * <p>{@link #close()} stops the relays and closes their TUN descriptors first, then ends the holders; the namespaces, and with them every veth and bridge, are
 * freed by the kernel. A JVM killed with SIGKILL leaks nothing either: the holders' launchers see
 * EOF on their stdin.
 */
public final class Lab implements AutoCloseable {
  /** The MAC address partitioned traffic is sent to: no interface has it, so receivers drop it. */
  static final byte[] NOWHERE_MAC = {0x02, 0x6e, 0x73, 0x6a, 0x00, 0x00};
  private static volatile Optional<String> netemMissing;

  private final TopologySpec spec;
  private final Map<String, Host> hosts = new LinkedHashMap<>();
  private final List<LinkState> links = new ArrayList<>();
  private Host switchHost;
  private Duration closeDuration;
  private boolean closed;

  record Host(String name, NamespaceHolder holder, RtNetlink rtnl, Inet4Address address) {
    String where() {
      return name == null ? "in the switch namespace" : "in host \"" + name + "\"";
    }
  }

  private Lab(TopologySpec spec) {
    this.spec = spec;
  }

  /** Builds {@code spec} with the launcher at {@code launcher}; on any failure, nothing is left behind. */
  public static Lab start(TopologySpec spec, Path launcher) {
    Subnet subnet = Subnet.parse(spec.subnet(), spec.hosts().size());
    checkNoOverlapWithThisNamespace(spec.subnet(), subnet);
    boolean wantsNetem = spec.links().stream().anyMatch(l -> !l.isEmulated() && !l.netem().isNone());
    if (wantsNetem) {
      netemMissing().ifPresent(m -> {
        throw new NetemUnavailableException(m);
      });
    }
    Lab lab = new Lab(spec);
    try {
      lab.build(subnet, launcher);
      return lab;
    } catch (RuntimeException | Error e) {
      lab.close();
      throw e;
    }
  }

  private void build(Subnet subnet, Path launcher) {
    int n = 1;
    for (String name : spec.hosts()) {
      NamespaceHolder holder = NamespaceHolder.start(launcher, "host \"" + name + "\"", name);
      String where = "in host \"" + name + "\"";
      RtNetlink rtnl;
      try {
        rtnl = new RtNetlink(NetlinkSocket.openIn(holder.netns(), where));
      } catch (RuntimeException e) {
        holder.close();
        throw e;
      }
      hosts.put(name, new Host(name, holder, rtnl, subnet.host(n++)));
    }
    if (spec.links().stream().anyMatch(LinkSpec::isLan)) {
      NamespaceHolder holder = NamespaceHolder.start(launcher, "the switch namespace", "nsjunit-switch");
      switchHost = new Host(null, holder, null, null); // closed by close() if the socket fails
      switchHost = new Host(null, holder, new RtNetlink(NetlinkSocket.openIn(holder.netns(), switchHost.where())), null);
    }
    Map<String, Integer> interfaceCount = new LinkedHashMap<>();
    for (int i = 0; i < spec.links().size(); i++) {
      LinkSpec ls = spec.links().get(i);
      Map<String, String> ifnames = new LinkedHashMap<>();
      for (String h : ls.between()) {
        ifnames.put(h, "eth" + (interfaceCount.merge(h, 1, Integer::sum) - 1));
      }
      LinkState link = new LinkState(i, ls, ifnames);
      links.add(link);
      if (ls.isLan()) {
        buildLan(link);
      } else if (ls.isEmulated()) {
        String a = ls.between().get(0);
        String b = ls.between().get(1);
        link.emulated(EmulatedLink.create(a, netns(a), ifnames.get(a), b, netns(b), ifnames.get(b),
            ls.emulatedSeed().getAsLong(), ls.netem()));
      } else {
        String a = ls.between().get(0);
        String b = ls.between().get(1);
        withNetnsFd(hosts.get(b), fd -> host(a).rtnl().createVeth(ifnames.get(a), ifnames.get(b), fd, hosts.get(b).where()));
      }
      for (String h : ls.between()) {
        configureEnd(link, h);
      }
    }
  }

  private void buildLan(LinkState link) {
    RtNetlink sw = switchHost.rtnl();
    sw.createBridge(link.bridge());
    sw.setUp(link.bridge(), true);
    int k = 0;
    for (String h : link.spec().between()) {
      String port = "p" + link.index() + "-" + k++;
      withNetnsFd(hosts.get(h), fd -> sw.createVeth(port, link.ifname(h), fd, hosts.get(h).where()));
      sw.setMaster(port, link.bridge());
      sw.setUp(port, true);
    }
  }

  /** Address, link state, routes to the link's other hosts, and the link's starting faults. */
  private void configureEnd(LinkState link, String h) {
    Host host = host(h);
    String ifname = link.ifname(h);
    host.rtnl().addAddress(ifname, host.address(), 32);
    host.rtnl().setUp(ifname, true);
    addRoutes(link, h);
    applyQdiscs(link, h);
  }

  private void addRoutes(LinkState link, String h) {
    Host host = host(h);
    for (String peer : link.spec().between()) {
      if (!peer.equals(h)) {
        host.rtnl().replaceRoute(host(peer).address(), 32, link.ifname(h), host.address());
      }
    }
  }

  /** Root qdisc of {@code h}'s end of {@code link}: netem (with tbf below it) or tbf or the default. */
  void applyQdiscs(LinkState link, String h) {
    RtNetlink r = host(h).rtnl();
    String ifname = link.ifname(h);
    // On an emulated link the relay applies the netem-like faults; only the rate is a qdisc.
    Netem netem = link.emulated() != null ? Netem.NONE : link.netem();
    long rate = link.rateBitsPerSecond();
    r.deleteRootQdisc(ifname);
    if (!netem.isNone()) {
      r.replaceQdisc(ifname, RtNetlink.TC_H_ROOT, 0x00010000, "netem", Qdiscs.netem(netem), "(" + netem + ")");
      if (rate > 0) {
        r.replaceQdisc(ifname, 0x00010001, 0x000A0000, "tbf", Qdiscs.tbf(rate), "rate " + rate + "bit under netem");
      }
    } else if (rate > 0) {
      r.replaceQdisc(ifname, RtNetlink.TC_H_ROOT, 0x00010000, "tbf", Qdiscs.tbf(rate), "rate " + rate + "bit");
    }
  }

  /** The network namespace of {@code host}, usable by {@code nsjunit-launch --join-net} and setns(). */
  public Path netns(String host) {
    return host(host).holder().netns();
  }

  /** The one address {@code host} has on all its links. */
  public InetAddress address(String host) {
    return host(host).address();
  }

  /** The pid of the process that holds {@code host}'s namespaces (for checks and diagnostics). */
  public long holderPid(String host) {
    return host(host).holder().holderPid();
  }

  /** Every process this lab started: launchers and the holders below them. */
  public List<Long> processIds() {
    List<Long> pids = new ArrayList<>();
    List<Host> all = new ArrayList<>(hosts.values());
    if (switchHost != null) {
      all.add(switchHost);
    }
    for (Host h : all) {
      pids.add(h.holder().launcherPid());
      pids.add(h.holder().holderPid());
    }
    return pids;
  }

  /** Content for /etc/hosts inside every host: localhost, then each host name and its address. */
  public String etcHosts() {
    StringBuilder b = new StringBuilder("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
    hosts.values().forEach(h -> b.append(h.address().getHostAddress()).append('\t').append(h.name()).append('\n'));
    return b.toString();
  }

  /** Faults of the link that joins {@code a} and {@code b} (on a LAN: of their two ends). */
  public LinkControl link(String a, String b) {
    host(a);
    host(b);
    for (LinkState l : links) {
      if (l.spec().between().contains(a) && l.spec().between().contains(b) && !a.equals(b)) {
        return new LinkControl(this, l, a, b);
      }
    }
    throw new IllegalArgumentException("link(\"" + a + "\", \"" + b + "\"): no link joins them; the links are "
        + links.stream().map(l -> l.spec().between()).toList());
  }

  /** The emulated links of this lab (TUN pair and seeded relay), in the order of the spec; empty if none. */
  public List<EmulatedLink> emulatedLinks() {
    return links.stream().map(LinkState::emulated).filter(e -> e != null).toList();
  }

  /** How long the last {@link #close()} took (empty before it ran). */
  public Optional<Duration> closeDuration() {
    return Optional.ofNullable(closeDuration);
  }

  /**
   * Why netem cannot be used on this kernel, or empty when it can. Probed once per JVM by adding a
   * netem qdisc to the loopback of a throwaway namespace.
   */
  public static Optional<String> netemMissing() {
    Optional<String> r = netemMissing;
    if (r == null) {
      synchronized (Lab.class) {
        if (netemMissing == null) {
          netemMissing = probeNetem();
        }
        r = netemMissing;
      }
    }
    return r;
  }

  private static Optional<String> probeNetem() {
    try {
      return NetNamespaces.callInFreshNamespace("probing for netem", () -> {
        try (RtNetlink r = new RtNetlink(NetlinkSocket.open("in a probe namespace"))) {
          r.replaceQdisc("lo", RtNetlink.TC_H_ROOT, 0x00010000, "netem",
              Qdiscs.netem(Netem.NONE.withDelay(Duration.ofMillis(1))), "(probe)");
          return Optional.<String>empty();
        }
      });
    } catch (NetlinkException e) {
      return Optional.of("netem is not available on this kernel: " + e.getMessage());
    }
  }

  synchronized void requireNetem() {
    netemMissing().ifPresent(m -> {
      throw new NetemUnavailableException(m);
    });
  }

  Host host(String name) {
    Host h = hosts.get(name);
    if (h == null) {
      throw new IllegalArgumentException("host \"" + name + "\" is not in this lab: the hosts are " + hosts.keySet());
    }
    return h;
  }

  void reAddRoutes(LinkState link, String h) {
    addRoutes(link, h);
  }

  /** Ends every holder at once (EOF to all launchers first, then waits). Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long start = System.nanoTime();
    // First the relays: an open TUN descriptor would keep its namespace alive after the holder ends.
    for (LinkState l : links) {
      if (l.emulated() != null) {
        l.emulated().close();
      }
    }
    List<Host> all = new ArrayList<>(hosts.values());
    if (switchHost != null) {
      all.add(switchHost);
    }
    for (Host h : all) {
      if (h.rtnl() != null) {
        h.rtnl().close();
      }
      h.holder().beginClose();
    }
    for (Host h : all) {
      h.holder().close();
    }
    closeDuration = Duration.ofNanos(System.nanoTime() - start);
  }

  private interface FdUser {
    void use(int fd);
  }

  /** Opens {@code host}'s namespace as a descriptor (for IFLA_NET_NS_FD) for the time of {@code user}. */
  private static void withNetnsFd(Host host, FdUser user) {
    String path = host.holder().netns().toString();
    int fd = LibC.get().open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
    if (fd < 0) {
      throw new NetlinkException("open(" + path + ") " + host.where(), LibC.errno(), null,
          "the namespace holder ended early");
    }
    try {
      user.use(fd);
    } finally {
      LibC.get().close(fd);
    }
  }

  private static void checkNoOverlapWithThisNamespace(String text, Subnet subnet) {
    try (RtNetlink r = new RtNetlink(NetlinkSocket.open("in the test JVM's namespace"))) {
      checkNoOverlap(text, subnet, r.ipv4Addresses());
    }
  }

  /** Refuses a lab subnet that overlaps one of {@code addresses} ("a.b.c.d/prefix") of the machine. */
  static void checkNoOverlap(String text, Subnet subnet, List<String> addresses) {
    for (String a : addresses) {
      Subnet other = Subnet.ofAddress(a);
      if (subnet.overlaps(other)) {
        throw new IllegalArgumentException("subnet=\"" + text + "\" overlaps " + a + ", an address of this machine's"
            + " network: choose a private subnet that this machine does not use, e.g. \"" + Subnet.DEFAULT + "\"");
      }
    }
  }
}
