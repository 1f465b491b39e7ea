package dev.nsjunit.internal.lab;

import java.util.List;
import java.util.OptionalLong;

/**
 * Faults on the link between two hosts, at run time. Each call takes effect before it returns.
 *
 * <ul>
 *   <li>{@link #down()}/{@link #up()}: both ends administratively down. The kernel drops the
 *       routes, so a connect fails at once with "Network is unreachable" (ENETUNREACH).
 *   <li>{@link #partition()}/{@link #partitionOneWay}/{@link #heal()}: silent drop. The sender's
 *       neighbour (ARP) entry for the receiver is replaced by a permanent one pointing at a MAC
 *       address no interface has, so frames still leave but the receiver discards them as "not for
 *       this host"; no error reaches the sender, connects and reads time out as across a real
 *       partition. Needs nothing but rtnetlink (no netem, no nftables, no BPF).
 *   <li>{@link #rate}: a tbf qdisc on both ends.
 *   <li>{@link #netem}: a netem qdisc on both ends (each direction gets the delay once), or a
 *       {@link NetemUnavailableException} naming sch_netem when the kernel lacks it.
 * </ul>
 *
 * <p>On a LAN (a link of three or more hosts) partitions affect only traffic between the two hosts;
 * down, rate and netem act on the two hosts' LAN interfaces, so they affect those hosts' traffic
 * with every member of the LAN.
 *
 * <p>On an emulated link ({@link LinkSpec#emulated(long)}: TUN pair and relay) down/up set the TUN
 * devices down/up, partitions make the relay drop the direction's packets, rate is a tbf on the TUN
 * devices, and {@link #netem} changes what the relay applies (no sch_netem needed); {@link #seed()}
 * and {@link #traffic} tell what it did.
 */
public final class LinkControl {
  private final Lab lab;
  private final LinkState link;
  private final String a;
  private final String b;

  LinkControl(Lab lab, LinkState link, String a, String b) {
    this.lab = lab;
    this.link = link;
    this.a = a;
    this.b = b;
  }

  public void down() {
    synchronized (lab) {
      for (String h : List.of(a, b)) {
        lab.host(h).rtnl().setUp(link.ifname(h), false);
        link.down().add(h);
      }
    }
  }

  public void up() {
    synchronized (lab) {
      for (String h : List.of(a, b)) {
        lab.host(h).rtnl().setUp(link.ifname(h), true);
        link.down().remove(h);
        // Going down flushed this end's routes and neighbour entries; put back what we own.
        lab.reAddRoutes(link, h);
        for (List<String> pair : link.blocked()) {
          if (pair.get(0).equals(h) && link.emulated() == null) {
            blackhole(pair.get(0), pair.get(1));
          }
        }
      }
    }
  }

  /** Drops traffic both ways, silently. */
  public void partition() {
    partitionOneWay(a, b);
    partitionOneWay(b, a);
  }

  /** Drops packets from {@code from} to {@code to}, silently; the other direction still flows. */
  public void partitionOneWay(String from, String to) {
    if (!(from.equals(a) && to.equals(b)) && !(from.equals(b) && to.equals(a))) {
      throw wrongEnds("partitionOneWay", from, to, this, a, b);
    }
    synchronized (lab) {
      link.blocked().add(List.of(from, to));
      if (link.emulated() != null) {
        link.emulated().blocked(from, to, true);
      } else if (!link.down().contains(from)) {
        blackhole(from, to);
      }
    }
  }

  /** Ends partitions in both directions: the kernel resolves the neighbours again (ARP). */
  public void heal() {
    synchronized (lab) {
      for (List<String> pair : List.of(List.of(a, b), List.of(b, a))) {
        if (link.emulated() != null) {
          link.blocked().remove(pair);
          link.emulated().blocked(pair.get(0), pair.get(1), false);
        } else if (link.blocked().remove(pair) && !link.down().contains(pair.get(0))) {
          lab.host(pair.get(0))
              .rtnl()
              .deleteNeighbour(link.ifname(pair.get(0)), lab.host(pair.get(1)).address());
        }
      }
    }
  }

  /** Limits both directions to {@code rate} ("1mbit", "500kbit", "2mbps"). */
  public void rate(String rate) {
    long bits = FaultText.rateBitsPerSecond("rate", rate);
    synchronized (lab) {
      link.rateBitsPerSecond(bits);
      reapplyQdiscs();
    }
  }

  public void clearRate() {
    synchronized (lab) {
      link.rateBitsPerSecond(0);
      reapplyQdiscs();
    }
  }

  /**
   * Applies {@code netem} to both directions; throws {@link NetemUnavailableException} without
   * sch_netem.
   */
  public void netem(Netem netem) {
    if (link.emulated() != null) {
      synchronized (lab) {
        link.netem(netem);
        link.emulated().faults(netem);
      }
      return;
    }
    if (!netem.isNone()) {
      lab.requireNetem();
    }
    synchronized (lab) {
      link.netem(netem);
      reapplyQdiscs();
    }
  }

  public void clearNetem() {
    netem(Netem.NONE);
  }

  /** Whether this is an emulated link (TUN pair and seeded relay). */
  public boolean isEmulated() {
    return link.emulated() != null;
  }

  /** The seed of an emulated link's random source; empty for a veth link or a LAN. */
  public OptionalLong seed() {
    return link.emulated() == null ? OptionalLong.empty() : OptionalLong.of(link.emulated().seed());
  }

  /**
   * What the relay of an emulated link did so far to the packets from {@code from} to {@code to}
   * (indices of dropped, duplicated, reordered packets); IllegalStateException on a veth link.
   */
  public EmulatedLink.Traffic traffic(String from, String to) {
    if (link.emulated() == null) {
      throw new IllegalStateException(
          this + " is not an emulated link: only LinkSpec.emulated(seed) links record traffic");
    }
    return link.emulated().traffic(from, to);
  }

  private void reapplyQdiscs() {
    lab.applyQdiscs(link, a);
    lab.applyQdiscs(link, b);
  }

  private void blackhole(String from, String to) {
    lab.host(from)
        .rtnl()
        .replaceNeighbour(link.ifname(from), lab.host(to).address(), Lab.NOWHERE_MAC);
  }

  @Override
  public String toString() {
    return "link "
        + link.spec().between()
        + " ("
        + a
        + " "
        + link.ifname(a)
        + ", "
        + b
        + " "
        + link.ifname(b)
        + ")"
        + (link.emulated() == null ? "" : ", emulated, " + link.emulated().replayHint());
  }

  /** The error for a direction that is not one of the link's two: names the call and the ends. */
  static IllegalArgumentException wrongEnds(
      String call, String from, String to, Object link, String a, String b) {
    return new IllegalArgumentException(
        call
            + "(\""
            + from
            + "\", \""
            + to
            + "\") on "
            + link
            + ": from and to must be \""
            + a
            + "\" and \""
            + b
            + "\", in either order");
  }
}
