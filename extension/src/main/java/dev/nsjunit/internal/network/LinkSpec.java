package dev.nsjunit.internal.network;

import java.util.List;

/**
 * One link of a topology: two hosts (a veth pair) or more (a LAN: a bridge in the hidden switch
 * namespace), with the faults it starts with. {@code rateBitsPerSecond} 0 means unlimited.
 */
public record LinkSpec(List<String> between, long rateBitsPerSecond, Netem netem) {
  public LinkSpec {
    if (between == null || between.size() < 2) {
      throw new IllegalArgumentException("between=" + between + " names " + (between == null ? 0 : between.size())
          + " host(s): a link joins at least two hosts, e.g. between = {\"client\", \"server\"}");
    }
    between = List.copyOf(between);
    if (between.stream().distinct().count() != between.size()) {
      throw new IllegalArgumentException("between=" + between + " names a host twice: each host joins a link once");
    }
    if (rateBitsPerSecond < 0) {
      throw new IllegalArgumentException("rate=" + rateBitsPerSecond + " bit/s is negative: 0 (unlimited) or more");
    }
    netem = netem == null ? Netem.NONE : netem;
  }

  public static LinkSpec between(String... hosts) {
    return new LinkSpec(List.of(hosts), 0, Netem.NONE);
  }

  public LinkSpec rate(String text) {
    return new LinkSpec(between, FaultText.rateBitsPerSecond("rate", text), netem);
  }

  public LinkSpec delay(String text) {
    return new LinkSpec(between, rateBitsPerSecond, netem.withDelay(FaultText.duration("delay", text)));
  }

  public LinkSpec jitter(String text) {
    return new LinkSpec(between, rateBitsPerSecond, netem.withJitter(FaultText.duration("jitter", text)));
  }

  public LinkSpec loss(String text) {
    return new LinkSpec(between, rateBitsPerSecond, netem.withLoss(FaultText.percent("loss", text)));
  }

  public LinkSpec duplicate(String text) {
    return new LinkSpec(between, rateBitsPerSecond, netem.withDuplicate(FaultText.percent("duplicate", text)));
  }

  public LinkSpec reorder(String text) {
    return new LinkSpec(between, rateBitsPerSecond, netem.withReorder(FaultText.percent("reorder", text)));
  }

  public LinkSpec corrupt(String text) {
    return new LinkSpec(between, rateBitsPerSecond, netem.withCorrupt(FaultText.percent("corrupt", text)));
  }

  boolean isLan() {
    return between.size() > 2;
  }
}
