package dev.nsjunit.internal.lab;

import java.net.Inet4Address;
import java.util.List;

/** An IPv4 network in CIDR form ("10.213.0.0/16") from which the lab numbers its hosts. */
record Subnet(int network, int prefix) {
  static final String DEFAULT = "10.213.0.0/16";
  private static final List<Subnet> PRIVATE =
      List.of(new Subnet(0x0A000000, 8), new Subnet(0xAC100000, 12), new Subnet(0xC0A80000, 16));

  /** Parses and checks {@code text}; {@code hosts} is how many addresses it must hold. */
  static Subnet parse(String text, int hosts) {
    String allowed =
        "a private IPv4 network in CIDR form with no host bits set, e.g. \"" + DEFAULT + "\"";
    String[] parts = text == null ? new String[0] : text.trim().split("/", -1);
    if (parts.length != 2
        || !parts[0].matches("\\d{1,3}(\\.\\d{1,3}){3}")
        || !parts[1].matches("\\d{1,2}")) {
      throw new IllegalArgumentException("subnet=\"" + text + "\" is not " + allowed);
    }
    int prefix = Integer.parseInt(parts[1]);
    int address = 0;
    for (String octet : parts[0].split("\\.")) {
      int v = Integer.parseInt(octet);
      if (v > 255) {
        throw new IllegalArgumentException(
            "subnet=\"" + text + "\" is not " + allowed + " (octet " + v + " > 255)");
      }
      address = (address << 8) | v;
    }
    if (prefix < 8 || prefix > 30) {
      throw new IllegalArgumentException(
          "subnet=\""
              + text
              + "\" has prefix length /"
              + prefix
              + ": allowed are /8 to /30, e.g. \""
              + DEFAULT
              + "\"");
    }
    Subnet s = new Subnet(address & mask(prefix), prefix);
    if (s.network != address) {
      throw new IllegalArgumentException(
          "subnet=\"" + text + "\" has host bits set: write \"" + s + "\"");
    }
    if (PRIVATE.stream().noneMatch(p -> p.contains(s))) {
      throw new IllegalArgumentException(
          "subnet=\""
              + text
              + "\" is not private: allowed are networks inside"
              + " 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 (default \""
              + DEFAULT
              + "\"), so a lab can never"
              + " shadow a real network");
    }
    long usable = (1L << (32 - prefix)) - 2;
    if (usable < hosts) {
      throw new IllegalArgumentException(
          "subnet=\""
              + text
              + "\" holds "
              + usable
              + " host addresses but the topology"
              + " has "
              + hosts
              + " hosts: use a shorter prefix, e.g. \""
              + DEFAULT
              + "\"");
    }
    return s;
  }

  /** The {@code n}-th host address (1-based). */
  Inet4Address host(int n) {
    int a = network + n;
    return RtNetlink.toInet(
        new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a});
  }

  boolean contains(Subnet other) {
    return other.prefix >= prefix && (other.network & mask(prefix)) == network;
  }

  boolean overlaps(Subnet other) {
    return contains(other) || other.contains(this);
  }

  /** "10.0.0.5/8" style, as RTM_GETADDR reports addresses, turned into the network it lies in. */
  static Subnet ofAddress(String addressSlashPrefix) {
    String[] p = addressSlashPrefix.split("/");
    int prefix = Integer.parseInt(p[1]);
    int a = 0;
    for (String octet : p[0].split("\\.")) {
      a = (a << 8) | Integer.parseInt(octet);
    }
    return new Subnet(a & mask(prefix), prefix);
  }

  private static int mask(int prefix) {
    return prefix == 0 ? 0 : -1 << (32 - prefix);
  }

  @Override
  public String toString() {
    return ((network >>> 24) & 255)
        + "."
        + ((network >>> 16) & 255)
        + "."
        + ((network >>> 8) & 255)
        + "."
        + (network & 255)
        + "/"
        + prefix;
  }
}
