package dev.nsjunit.internal.lab;

import dev.nsjunit.internal.ffi.LibC;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running topology: one network namespace per host, held by a {@link NamespaceHolder}, joined by
 * veth pairs (two hosts) or by a bridge in a hidden switch namespace (a LAN of three or more). All
 * of them belong to one user namespace: the initial one as root, else one the first holder made for
 * the lab (see {@link NamespaceHolder}). Everything this JVM does in them goes through descriptors
 * the holders opened inside: a netlink socket per host, the namespace files (for IFLA_NET_NS_FD),
 * /dev/net/tun; no thread of this JVM ever switches namespace.
 *
 * <p>Addressing: host number i of the spec (from 1) has address subnet+i, the same on each of its
 * links (as a /32 on every link interface), and one /32 route per host it shares a link with, out
 * of that link's interface. So a name means one address everywhere, and a host reaches exactly the
 * hosts it is linked to: there is no default route, no forwarding, and nothing leads to the
 * machine's own network. Every veth is created inside a lab namespace (the peer end placed directly
 * into the other one with IFLA_NET_NS_FD), never in the caller's namespace.
 *
 * <p>An emulated link ({@link LinkSpec#emulated(long)}) is a TUN device in each of its two hosts
 * and an {@link EmulatedLink} relay in this JVM instead of a veth pair; addressing and routes are
 * the same, and its delay, loss and the like are applied by the relay, not netem.
 *
 * <p>{@link #close()} stops the relays and closes their TUN descriptors first, then ends the
 * holders; the namespaces, and with them every veth and bridge, are freed by the kernel. A JVM
 * killed with SIGKILL leaks nothing either: the holders' launchers see EOF on their stdin.
 */
public final class Lab implements AutoCloseable {
  /** The MAC address partitioned traffic is sent to: no interface has it, so receivers drop it. */
  static final byte[] NOWHERE_MAC = {0x02, 0x6e, 0x73, 0x6a, 0x00, 0x00};

  private static volatile Optional<String> netemMissing;
  private static final AtomicInteger LABS = new AtomicInteger();

  private final TopologySpec spec;
  private final Path launcher;
  private final Path directory;
  private final String userns;
  private final Map<String, Host> hosts = new LinkedHashMap<>();
  private final List<LinkState> links = new ArrayList<>();
  private Host switchHost;
  private Duration closeDuration;
  private boolean closed;

  /** One namespace of the lab; {@code netnsFd} is this JVM's descriptor of it (-1 until opened). */
  record Host(
      String name, NamespaceHolder holder, RtNetlink rtnl, Inet4Address address, int netnsFd) {
    String where() {
      return name == null ? "in the switch namespace" : "in host \"" + name + "\"";
    }
  }

  private Lab(TopologySpec spec, Path launcher, Path directory, String userns) {
    this.spec = spec;
    this.launcher = launcher;
    this.directory = directory;
    this.userns = userns;
  }

  /**
   * Builds {@code spec} with the launcher at {@code launcher}, its sockets in this JVM's private
   * run directory (which the next run removes should this JVM be killed).
   */
  public static Lab start(TopologySpec spec, Path launcher) {
    return start(spec, launcher, dev.nsjunit.internal.run.RunDirectory.get().path(), "auto");
  }

  /**
   * Builds {@code spec} with the launcher at {@code launcher}; the holders' sockets go to a new
   * private directory below {@code parent}, and {@code userns} ("auto", "always", "never") says
   * when the lab gets a user namespace of its own. On any failure, nothing is left behind.
   */
  public static Lab start(TopologySpec spec, Path launcher, Path parent, String userns) {
    Subnet subnet = Subnet.parse(spec.subnet(), spec.hosts().size());
    checkNoOverlapWithThisNamespace(spec.subnet(), subnet);
    Lab lab = new Lab(spec, launcher, privateDirectory(parent), userns);
    try {
      boolean wantsNetem =
          spec.links().stream().anyMatch(l -> !l.isEmulated() && !l.netem().isNone());
      if (wantsNetem) {
        lab.requireNetem();
      }
      lab.build(subnet);
      return lab;
    } catch (RuntimeException | Error e) {
      lab.close();
      throw e;
    }
  }

  private static Path privateDirectory(Path parent) {
    try {
      Path dir =
          parent.resolve("lab" + ProcessHandle.current().pid() + "-" + LABS.incrementAndGet());
      Files.createDirectory(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "creating the network lab's private directory below " + parent + ": " + e.getMessage(),
          e);
    }
  }

  private NamespaceHolder startHolder(String name, String hostname, String socketName) {
    Optional<NamespaceHolder> first = hosts.values().stream().findFirst().map(Host::holder);
    return NamespaceHolder.start(
        launcher, name, hostname, directory.resolve(socketName), first, userns);
  }

  /** The host's namespace descriptor and netlink socket; on failure the holder is closed. */
  private static Host opened(
      String name, NamespaceHolder holder, Inet4Address address, String where) {
    int netnsFd = -1;
    try {
      netnsFd = holder.netNamespace();
      return new Host(name, holder, new RtNetlink(holder.netlinkSocket(where)), address, netnsFd);
    } catch (RuntimeException | Error e) {
      if (netnsFd >= 0) {
        LibC.get().close(netnsFd);
      }
      holder.close();
      throw e;
    }
  }

  private void build(Subnet subnet) {
    int n = 1;
    for (String name : spec.hosts()) {
      NamespaceHolder holder = startHolder("host \"" + name + "\"", name, "h" + n + ".sock");
      hosts.put(name, opened(name, holder, subnet.host(n++), "in host \"" + name + "\""));
    }
    if (spec.links().stream().anyMatch(LinkSpec::isLan)) {
      NamespaceHolder holder = startHolder("the switch namespace", "nsjunit-switch", "switch.sock");
      switchHost = opened(null, holder, null, "in the switch namespace");
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
        link.emulated(
            EmulatedLink.create(
                a,
                host(a).holder(),
                ifnames.get(a),
                b,
                host(b).holder(),
                ifnames.get(b),
                ls.emulatedSeed().getAsLong(),
                ls.netem()));
      } else {
        String a = ls.between().get(0);
        String b = ls.between().get(1);
        withNetnsFd(
            hosts.get(b),
            fd ->
                host(a)
                    .rtnl()
                    .createVeth(ifnames.get(a), ifnames.get(b), fd, hosts.get(b).where()));
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
      withNetnsFd(
          hosts.get(h), fd -> sw.createVeth(port, link.ifname(h), fd, hosts.get(h).where()));
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

  /**
   * Root qdisc of {@code h}'s end of {@code link}: netem (with tbf below it) or tbf or the default.
   */
  void applyQdiscs(LinkState link, String h) {
    RtNetlink r = host(h).rtnl();
    String ifname = link.ifname(h);
    // On an emulated link the relay applies the netem-like faults; only the rate is a qdisc.
    Netem netem = link.emulated() != null ? Netem.NONE : link.netem();
    long rate = link.rateBitsPerSecond();
    r.deleteRootQdisc(ifname);
    if (!netem.isNone()) {
      r.replaceQdisc(
          ifname, RtNetlink.TC_H_ROOT, 0x00010000, "netem", Qdiscs.netem(netem), "(" + netem + ")");
      if (rate > 0) {
        r.replaceQdisc(
            ifname,
            0x00010001,
            0x000A0000,
            "tbf",
            Qdiscs.tbf(rate),
            "rate " + rate + "bit under netem");
      }
    } else if (rate > 0) {
      r.replaceQdisc(
          ifname, RtNetlink.TC_H_ROOT, 0x00010000, "tbf", Qdiscs.tbf(rate), "rate " + rate + "bit");
    }
  }

  /**
   * The network namespace of {@code host} as a path into this JVM's own descriptor table ({@code
   * /proc/self/fd/N}): for use in this JVM (setns() in tests, namespace ids), never by another
   * process. Launchers join a host with {@code --join-holder} {@link #holderSocket}.
   */
  public Path netns(String host) {
    return Path.of("/proc/self/fd/" + host(host).netnsFd());
  }

  /** The socket of {@code host}'s holder, for a launcher's {@code --join-holder}. */
  public Path holderSocket(String host) {
    return host(host).holder().socket();
  }

  /**
   * Whether something accepts TCP connections on {@code port} of {@code host}'s lab address, tried
   * from inside the host with a socket its holder opened there; waits at most {@code timeoutMs}.
   */
  public boolean acceptsConnections(String host, int port, int timeoutMs) {
    Host h = host(host);
    LibC c = LibC.get();
    int fd =
        h.holder()
            .inetSocket(
                LibC.AF_INET,
                LibC.SOCK_STREAM | LibC.SOCK_NONBLOCK,
                "a socket to probe port " + port + " " + h.where());
    try {
      byte[] to =
          ByteBuffer.allocate(16)
              .order(ByteOrder.nativeOrder())
              .putShort(0, (short) LibC.AF_INET)
              .order(ByteOrder.BIG_ENDIAN)
              .putShort(2, (short) port)
              .put(4, h.address().getAddress(), 0, 4)
              .array();
      if (c.connect(fd, to, to.length) == 0) {
        return true;
      }
      if (LibC.errno() != LibC.EINPROGRESS) {
        return false;
      }
      byte[] pollfd =
          ByteBuffer.allocate(8)
              .order(ByteOrder.nativeOrder())
              .putInt(0, fd)
              .putShort(4, LibC.POLLOUT)
              .array();
      if (c.poll(pollfd, 1, timeoutMs) <= 0) {
        return false;
      }
      byte[] error = new byte[4];
      int[] length = {4};
      return c.getsockopt(fd, LibC.SOL_SOCKET, LibC.SO_ERROR, error, length) == 0
          && ByteBuffer.wrap(error).order(ByteOrder.nativeOrder()).getInt(0) == 0;
    } finally {
      c.close(fd);
    }
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
    StringBuilder b =
        new StringBuilder("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
    hosts
        .values()
        .forEach(
            h -> b.append(h.address().getHostAddress()).append('\t').append(h.name()).append('\n'));
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
    throw new IllegalArgumentException(
        "link(\""
            + a
            + "\", \""
            + b
            + "\"): no link joins them; the links are "
            + links.stream().map(l -> l.spec().between()).toList());
  }

  /**
   * The emulated links of this lab (TUN pair and seeded relay), in the order of the spec; empty if
   * none.
   */
  public List<EmulatedLink> emulatedLinks() {
    return links.stream().map(LinkState::emulated).filter(e -> e != null).toList();
  }

  /** How long the last {@link #close()} took (empty before it ran). */
  public Optional<Duration> closeDuration() {
    return Optional.ofNullable(closeDuration);
  }

  /**
   * Why netem cannot be used on this kernel, or empty when it can, as found by the last probe of
   * this JVM; without one yet, probes in a fresh namespace of its own, which needs CAP_SYS_ADMIN
   * (labs probe through a holder instead, see {@link #requireNetem()}).
   */
  public static Optional<String> netemMissing() {
    Optional<String> r = netemMissing;
    if (r == null) {
      synchronized (Lab.class) {
        if (netemMissing == null) {
          netemMissing =
              probeNetem(
                  () ->
                      NetNamespaces.callInFreshNamespace(
                          "probing for netem",
                          () -> new RtNetlink(NetlinkSocket.open("in a probe namespace"))));
        }
        r = netemMissing;
      }
    }
    return r;
  }

  /** Probes once per JVM (in a throwaway holder's namespace) and throws when netem is missing. */
  void requireNetem() {
    Optional<String> r = netemMissing;
    if (r == null) {
      synchronized (Lab.class) {
        if (netemMissing == null) {
          netemMissing = probeNetemInAHolder();
        }
        r = netemMissing;
      }
    }
    r.ifPresent(
        m -> {
          throw new NetemUnavailableException(m);
        });
  }

  private Optional<String> probeNetemInAHolder() {
    NamespaceHolder holder =
        NamespaceHolder.start(
            launcher,
            "the netem probe",
            "nsjunit-probe",
            directory.resolve("probe.sock"),
            Optional.empty(),
            userns);
    try {
      return probeNetem(() -> new RtNetlink(holder.netlinkSocket("in a probe namespace")));
    } finally {
      holder.close();
    }
  }

  private interface ProbeSocket {
    RtNetlink open() throws Exception;
  }

  /**
   * Adds a netem qdisc to the loopback of a throwaway namespace: ENOENT there means no sch_netem.
   * Only that answer is the kernel's; failing to get the namespace (no CAP_SYS_ADMIN for a fresh
   * one) says nothing about netem and is thrown, not cached.
   */
  private static Optional<String> probeNetem(ProbeSocket socket) {
    RtNetlink r;
    try {
      r = socket.open();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("probing for netem: " + e, e);
    }
    try (r) {
      r.replaceQdisc(
          "lo",
          RtNetlink.TC_H_ROOT,
          0x00010000,
          "netem",
          Qdiscs.netem(Netem.NONE.withDelay(Duration.ofMillis(1))),
          "(probe)");
      return Optional.empty();
    } catch (NetlinkException e) {
      return Optional.of("netem is not available on this kernel: " + e.getMessage());
    }
  }

  Host host(String name) {
    Host h = hosts.get(name);
    if (h == null) {
      throw new IllegalArgumentException(
          "host \"" + name + "\" is not in this lab: the hosts are " + hosts.keySet());
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
    // First the relays: an open TUN descriptor would keep its namespace alive after the holder
    // ends.
    for (LinkState l : links) {
      if (l.emulated() != null) {
        l.emulated().close();
      }
    }
    List<Host> all = new ArrayList<>(hosts.values());
    if (switchHost != null) {
      all.add(switchHost);
    }
    // Our descriptors keep the namespaces alive too: close them before the holders end.
    for (Host h : all) {
      h.rtnl().close();
      LibC.get().close(h.netnsFd());
      h.holder().beginClose();
    }
    for (Host h : all) {
      h.holder().close();
    }
    try {
      Files.deleteIfExists(directory.resolve("probe.sock"));
      Files.deleteIfExists(directory);
    } catch (IOException e) {
      // a socket file of a holder that could not be waited for: the run directory's removal takes
      // it
    }
    closeDuration = Duration.ofNanos(System.nanoTime() - start);
  }

  /** Hands {@code host}'s namespace descriptor (for IFLA_NET_NS_FD) to {@code user}. */
  private static void withNetnsFd(Host host, java.util.function.IntConsumer user) {
    user.accept(host.netnsFd());
  }

  private static void checkNoOverlapWithThisNamespace(String text, Subnet subnet) {
    try (RtNetlink r = new RtNetlink(NetlinkSocket.open("in the test JVM's namespace"))) {
      checkNoOverlap(text, subnet, r.ipv4Addresses());
    }
  }

  /**
   * Refuses a lab subnet that overlaps one of {@code addresses} ("a.b.c.d/prefix") of the machine.
   */
  static void checkNoOverlap(String text, Subnet subnet, List<String> addresses) {
    for (String a : addresses) {
      Subnet other = Subnet.ofAddress(a);
      if (subnet.overlaps(other)) {
        throw new IllegalArgumentException(
            "subnet=\""
                + text
                + "\" overlaps "
                + a
                + ", an address of this machine's"
                + " network: choose a private subnet that this machine does not use, e.g. \""
                + Subnet.DEFAULT
                + "\"");
      }
    }
  }
}
