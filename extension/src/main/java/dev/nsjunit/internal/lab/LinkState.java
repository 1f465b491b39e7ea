package dev.nsjunit.internal.lab;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A built link and the faults in force on it (what {@link LinkControl} changed). */
final class LinkState {
  private final int index;
  private final LinkSpec spec;
  private final Map<String, String> ifnames;
  private final Set<String> down = new HashSet<>();
  private final Set<List<String>> blocked = new HashSet<>();
  private long rateBitsPerSecond;
  private Netem netem;
  private EmulatedLink emulated;

  LinkState(int index, LinkSpec spec, Map<String, String> ifnames) {
    this.index = index;
    this.spec = spec;
    this.ifnames = Map.copyOf(ifnames);
    this.rateBitsPerSecond = spec.rateBitsPerSecond();
    this.netem = spec.netem();
  }

  int index() {
    return index;
  }

  LinkSpec spec() {
    return spec;
  }

  /**
   * The interface of {@code host} on this link ("eth0", "eth1", ... in the order of the spec's
   * links).
   */
  String ifname(String host) {
    return ifnames.get(host);
  }

  String bridge() {
    return "br" + index;
  }

  Set<String> down() {
    return down;
  }

  /** Directed pairs [from, to] whose packets are dropped. */
  Set<List<String>> blocked() {
    return blocked;
  }

  long rateBitsPerSecond() {
    return rateBitsPerSecond;
  }

  void rateBitsPerSecond(long r) {
    rateBitsPerSecond = r;
  }

  Netem netem() {
    return netem;
  }

  void netem(Netem n) {
    netem = n;
  }

  /** The TUN pair and relay of an emulated link, or null for a veth link or a LAN. */
  EmulatedLink emulated() {
    return emulated;
  }

  void emulated(EmulatedLink e) {
    emulated = e;
  }
}
