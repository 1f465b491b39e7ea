package dev.nsjunit.internal.lab;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rtnetlink requests the network lab needs, each a small method that writes one message and
 * waits for its ack on a {@link NetlinkSocket} of one namespace. Message and attribute numbers are
 * those of linux/rtnetlink.h, if_link.h, neighbour.h and pkt_sched.h.
 */
final class RtNetlink implements AutoCloseable {
  static final int RTM_NEWLINK = 16;
  static final int RTM_DELLINK = 17;
  static final int RTM_GETLINK = 18;
  static final int RTM_NEWADDR = 20;
  static final int RTM_GETADDR = 22;
  static final int RTM_NEWROUTE = 24;
  static final int RTM_DELROUTE = 25;
  static final int RTM_NEWNEIGH = 28;
  static final int RTM_DELNEIGH = 29;
  static final int RTM_NEWQDISC = 36;
  static final int RTM_DELQDISC = 37;

  static final int AF_UNSPEC = 0;
  static final int AF_INET = 2;
  static final int IFF_UP = 0x1;
  static final int IFLA_ADDRESS = 1;
  static final int IFLA_IFNAME = 3;
  static final int IFLA_MASTER = 10;
  static final int IFLA_LINKINFO = 18;
  static final int IFLA_NET_NS_FD = 28;
  static final int IFLA_INFO_KIND = 1;
  static final int IFLA_INFO_DATA = 2;
  static final int VETH_INFO_PEER = 1;
  static final int IFA_ADDRESS = 1;
  static final int IFA_LOCAL = 2;
  static final int RTA_DST = 1;
  static final int RTA_OIF = 4;
  static final int RTA_PREFSRC = 7;
  static final int RT_TABLE_MAIN = 254;
  static final int RTPROT_STATIC = 4;
  static final int RT_SCOPE_LINK = 253;
  static final int RT_SCOPE_UNIVERSE = 0;
  static final int RTN_UNICAST = 1;
  static final int NDA_DST = 1;
  static final int NDA_LLADDR = 2;
  static final int NUD_PERMANENT = 0x80;
  static final int TCA_KIND = 1;
  static final int TCA_OPTIONS = 2;
  static final int TC_H_ROOT = 0xFFFFFFFF;

  private final NetlinkSocket socket;

  RtNetlink(NetlinkSocket socket) {
    this.socket = socket;
  }

  String where() {
    return socket.where();
  }

  /**
   * A veth pair: {@code name} here, {@code peerName} in the namespace open as {@code peerNetnsFd}.
   */
  void createVeth(String name, String peerName, int peerNetnsFd, String peerWhere) {
    NetlinkMessage m =
        new NetlinkMessage(
                RTM_NEWLINK,
                flagsCreate(),
                "RTM_NEWLINK veth " + name + " (peer " + peerName + " " + peerWhere + ")")
            .hint(
                errno -> errno == Errno.EEXIST ? "an interface of that name already exists" : null);
    ifinfo(m, 0, 0, 0);
    m.attrString(IFLA_IFNAME, name);
    int linkinfo = m.beginNest(IFLA_LINKINFO);
    m.attrString(IFLA_INFO_KIND, "veth");
    int data = m.beginNest(IFLA_INFO_DATA);
    int peer = m.beginNest(VETH_INFO_PEER);
    ifinfo(m, 0, 0, 0);
    m.attrString(IFLA_IFNAME, peerName);
    m.attrU32(IFLA_NET_NS_FD, peerNetnsFd);
    m.endNest(peer).endNest(data).endNest(linkinfo);
    socket.request(m);
  }

  void createBridge(String name) {
    NetlinkMessage m = new NetlinkMessage(RTM_NEWLINK, flagsCreate(), "RTM_NEWLINK bridge " + name);
    ifinfo(m, 0, 0, 0);
    m.attrString(IFLA_IFNAME, name);
    int linkinfo = m.beginNest(IFLA_LINKINFO);
    m.attrString(IFLA_INFO_KIND, "bridge");
    m.endNest(linkinfo);
    socket.request(m);
  }

  void setMaster(String name, String master) {
    NetlinkMessage m =
        new NetlinkMessage(RTM_NEWLINK, 0, "RTM_NEWLINK set master of " + name + " to " + master);
    ifinfo(m, 0, 0, 0);
    m.attrString(IFLA_IFNAME, name);
    m.attrU32(IFLA_MASTER, linkIndex(master));
    socket.request(m);
  }

  void setUp(String name, boolean up) {
    NetlinkMessage m =
        new NetlinkMessage(RTM_NEWLINK, 0, "RTM_NEWLINK set " + name + (up ? " up" : " down"));
    ifinfo(m, 0, up ? IFF_UP : 0, IFF_UP);
    m.attrString(IFLA_IFNAME, name);
    socket.request(m);
  }

  void deleteLink(String name) {
    NetlinkMessage m = new NetlinkMessage(RTM_DELLINK, 0, "RTM_DELLINK " + name);
    ifinfo(m, 0, 0, 0);
    m.attrString(IFLA_IFNAME, name);
    socket.request(m);
  }

  /** The interface index of {@code name} in this namespace. */
  int linkIndex(String name) {
    NetlinkMessage m =
        new NetlinkMessage(RTM_GETLINK, 0, "RTM_GETLINK " + name)
            .hint(errno -> errno == Errno.ENODEV ? "no interface of that name here" : null);
    ifinfo(m, 0, 0, 0);
    m.attrString(IFLA_IFNAME, name);
    List<ByteBuffer> answers = socket.request(m);
    if (answers.isEmpty()) {
      throw new IllegalStateException(
          "RTM_GETLINK " + name + " " + where() + ": the kernel sent no link");
    }
    return answers.get(0).getInt(16 + 4);
  }

  /** Every interface here: name → MAC address (empty for interfaces without one). */
  Map<String, byte[]> links() {
    NetlinkMessage m =
        new NetlinkMessage(RTM_GETLINK, NetlinkMessage.NLM_F_DUMP, "RTM_GETLINK dump");
    ifinfo(m, 0, 0, 0);
    Map<String, byte[]> links = new LinkedHashMap<>();
    for (ByteBuffer b : socket.request(m)) {
      Map<Integer, byte[]> attrs = attributes(b, 16 + 16);
      byte[] name = attrs.get(IFLA_IFNAME);
      if (name != null) {
        links.put(cString(name), attrs.getOrDefault(IFLA_ADDRESS, new byte[0]));
      }
    }
    return links;
  }

  byte[] macAddress(String name) {
    byte[] mac = links().get(name);
    if (mac == null || mac.length != 6) {
      throw new IllegalStateException("no MAC address for " + name + " " + where());
    }
    return mac;
  }

  /** IPv4 address/prefix on an interface (scope universe). */
  void addAddress(String name, Inet4Address address, int prefix) {
    NetlinkMessage m =
        new NetlinkMessage(
            RTM_NEWADDR,
            flagsReplace(),
            "RTM_NEWADDR " + address.getHostAddress() + "/" + prefix + " on " + name);
    m.u8(AF_INET).u8(prefix).u8(0).u8(RT_SCOPE_UNIVERSE).u32(linkIndex(name));
    m.attr(IFA_LOCAL, address.getAddress());
    m.attr(IFA_ADDRESS, address.getAddress());
    socket.request(m);
  }

  /** Every IPv4 address here, as "a.b.c.d/prefix". */
  List<String> ipv4Addresses() {
    NetlinkMessage m =
        new NetlinkMessage(RTM_GETADDR, NetlinkMessage.NLM_F_DUMP, "RTM_GETADDR dump");
    m.u8(AF_INET).u8(0).u8(0).u8(0).u32(0);
    List<String> out = new ArrayList<>();
    for (ByteBuffer b : socket.request(m)) {
      int prefix = b.get(16 + 1) & 0xff;
      byte[] local = attributes(b, 16 + 8).get(IFA_LOCAL);
      if (local != null && local.length == 4) {
        out.add(toInet(local).getHostAddress() + "/" + prefix);
      }
    }
    return out;
  }

  /** A route to {@code dst/prefix} out of {@code name}, on-link (no gateway), replacing any. */
  void replaceRoute(Inet4Address dst, int prefix, String name, Inet4Address preferredSource) {
    NetlinkMessage m =
        new NetlinkMessage(
            RTM_NEWROUTE,
            flagsReplace(),
            "RTM_NEWROUTE " + dst.getHostAddress() + "/" + prefix + " dev " + name);
    rtmsg(m, prefix, RT_SCOPE_LINK, RTN_UNICAST);
    m.attr(RTA_DST, dst.getAddress());
    m.attrU32(RTA_OIF, linkIndex(name));
    m.attr(RTA_PREFSRC, preferredSource.getAddress());
    socket.request(m);
  }

  void deleteRoute(Inet4Address dst, int prefix) {
    NetlinkMessage m =
        new NetlinkMessage(RTM_DELROUTE, 0, "RTM_DELROUTE " + dst.getHostAddress() + "/" + prefix);
    rtmsg(m, prefix, RT_SCOPE_UNIVERSE, RTN_UNICAST);
    m.attr(RTA_DST, dst.getAddress());
    socket.request(m);
  }

  /**
   * A permanent ARP entry {@code address → mac} on {@code name}, replacing what the kernel learnt.
   */
  void replaceNeighbour(String name, Inet4Address address, byte[] mac) {
    NetlinkMessage m =
        new NetlinkMessage(
            RTM_NEWNEIGH,
            flagsReplace(),
            "RTM_NEWNEIGH "
                + address.getHostAddress()
                + " lladdr "
                + macText(mac)
                + " permanent dev "
                + name);
    ndmsg(m, linkIndex(name), NUD_PERMANENT);
    m.attr(NDA_DST, address.getAddress());
    m.attr(NDA_LLADDR, mac);
    socket.request(m);
  }

  /** Forgets the neighbour entry; returns false if there was none. */
  boolean deleteNeighbour(String name, Inet4Address address) {
    NetlinkMessage m =
        new NetlinkMessage(
            RTM_DELNEIGH, 0, "RTM_DELNEIGH " + address.getHostAddress() + " dev " + name);
    ndmsg(m, linkIndex(name), 0);
    m.attr(NDA_DST, address.getAddress());
    try {
      socket.request(m);
      return true;
    } catch (NetlinkException e) {
      if (e.errno() == Errno.ENOENT) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Adds a qdisc of {@code kind} with {@code options} (the TCA_OPTIONS payload) at {@code parent}
   * (TC_H_ROOT or a class such as 1:1) with {@code handle} (major:minor as 0xMMMMmmmm).
   */
  void replaceQdisc(String name, int parent, int handle, String kind, byte[] options, String what) {
    NetlinkMessage m =
        new NetlinkMessage(
                RTM_NEWQDISC,
                flagsReplace(),
                "RTM_NEWQDISC " + kind + (what.isEmpty() ? "" : " " + what) + " on " + name)
            .hint(errno -> Qdiscs.hint(kind, errno));
    tcmsg(m, linkIndex(name), handle, parent);
    m.attrString(TCA_KIND, kind);
    m.attr(TCA_OPTIONS, options);
    socket.request(m);
  }

  /** Removes the root qdisc (back to the default); returns false when there was none to remove. */
  boolean deleteRootQdisc(String name) {
    NetlinkMessage m = new NetlinkMessage(RTM_DELQDISC, 0, "RTM_DELQDISC root on " + name);
    tcmsg(m, linkIndex(name), 0, TC_H_ROOT);
    try {
      socket.request(m);
      return true;
    } catch (NetlinkException e) {
      if (e.errno() == Errno.ENOENT || e.errno() == Errno.EINVAL) {
        return false;
      }
      throw e;
    }
  }

  @Override
  public void close() {
    socket.close();
  }

  /** Create or overwrite: the "replace" requests are idempotent. */
  private static int flagsReplace() {
    return NetlinkMessage.NLM_F_CREATE | NetlinkMessage.NLM_F_REPLACE;
  }

  /** Create, and fail with EEXIST when it exists. */
  private static int flagsCreate() {
    return NetlinkMessage.NLM_F_ACK | NetlinkMessage.NLM_F_CREATE | NetlinkMessage.NLM_F_EXCL;
  }

  private static void ifinfo(NetlinkMessage m, int index, int flags, int change) {
    m.u8(AF_UNSPEC).u8(0).u16(0).u32(index).u32(flags).u32(change);
  }

  private static void rtmsg(NetlinkMessage m, int dstLen, int scope, int type) {
    m.u8(AF_INET)
        .u8(dstLen)
        .u8(0)
        .u8(0)
        .u8(RT_TABLE_MAIN)
        .u8(RTPROT_STATIC)
        .u8(scope)
        .u8(type)
        .u32(0);
  }

  private static void ndmsg(NetlinkMessage m, int index, int state) {
    m.u8(AF_INET).u8(0).u16(0).u32(index).u16(state).u8(0).u8(0);
  }

  private static void tcmsg(NetlinkMessage m, int index, int handle, int parent) {
    m.u8(AF_UNSPEC).u8(0).u16(0).u32(index).u32(handle).u32(parent).u32(0);
  }

  /** Top-level attributes of the message in {@code b} starting at {@code offset}. */
  static Map<Integer, byte[]> attributes(ByteBuffer b, int offset) {
    Map<Integer, byte[]> attrs = new LinkedHashMap<>();
    int end = b.getInt(0);
    while (offset + 4 <= end) {
      int len = b.getShort(offset) & 0xffff;
      int type = b.getShort(offset + 2) & 0x3fff;
      if (len < 4 || offset + len > end) {
        break;
      }
      byte[] v = new byte[len - 4];
      b.get(offset + 4, v);
      attrs.putIfAbsent(type, v);
      offset += NetlinkMessage.align(len);
    }
    return attrs;
  }

  static String cString(byte[] b) {
    int n = 0;
    while (n < b.length && b[n] != 0) {
      n++;
    }
    return new String(b, 0, n, StandardCharsets.UTF_8);
  }

  static String macText(byte[] mac) {
    StringBuilder s = new StringBuilder();
    for (byte x : mac) {
      if (s.length() > 0) {
        s.append(':');
      }
      s.append(String.format("%02x", x & 0xff));
    }
    return s.toString();
  }

  static Inet4Address toInet(byte[] raw) {
    try {
      return (Inet4Address) InetAddress.getByAddress(raw);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static ByteBuffer littleEndian(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}
