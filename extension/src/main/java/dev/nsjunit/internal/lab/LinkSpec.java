package dev.nsjunit.internal.lab;

import java.util.List;
import java.util.OptionalLong;

/**
 * One link of a topology: two hosts (a veth pair) or more (a LAN: a bridge in the hidden switch
 * namespace), with the faults it starts with. {@code rateBitsPerSecond} 0 means unlimited.
 *
 * <p>With an {@code emulatedSeed} ({@link #emulated(long)}) the link is an {@link EmulatedLink}
 * instead: two hosts only, a TUN device in each and a relay in the JVM that applies delay, jitter,
 * loss, duplicate, reorder and corrupt itself, drawn from a random source seeded with the seed, so
 * they work without sch_netem and replay exactly with the same seed.
 */
public record LinkSpec(
    List<String> between, long rateBitsPerSecond, Netem netem, OptionalLong emulatedSeed) {
  public LinkSpec {
    if (between == null || between.size() < 2) {
      throw new IllegalArgumentException(
          "between="
              + between
              + " names "
              + (between == null ? 0 : between.size())
              + " host(s): a link joins at least two hosts, e.g. between = {\"client\", \"server\"}");
    }
    between = List.copyOf(between);
    if (between.stream().distinct().count() != between.size()) {
      throw new IllegalArgumentException(
          "between=" + between + " names a host twice: each host joins a link once");
    }
    if (rateBitsPerSecond < 0) {
      throw new IllegalArgumentException(
          "rate=" + rateBitsPerSecond + " bit/s is negative: 0 (unlimited) or more");
    }
    netem = netem == null ? Netem.NONE : netem;
    emulatedSeed = emulatedSeed == null ? OptionalLong.empty() : emulatedSeed;
    if (emulatedSeed.isPresent() && between.size() != 2) {
      throw new IllegalArgumentException(
          "between="
              + between
              + " with emulated(seed "
              + emulatedSeed.getAsLong()
              + "): an emulated link joins exactly two hosts, not a LAN");
    }
  }

  public LinkSpec(List<String> between, long rateBitsPerSecond, Netem netem) {
    this(between, rateBitsPerSecond, netem, OptionalLong.empty());
  }

  public static LinkSpec between(String... hosts) {
    return new LinkSpec(List.of(hosts), 0, Netem.NONE);
  }

  /**
   * This link as an emulated one (TUN pair and relay, no netem needed) whose packet fates come from
   * a random source seeded with {@code seed}; the other faults of this spec are applied by the
   * relay.
   */
  public LinkSpec emulated(long seed) {
    return new LinkSpec(between, rateBitsPerSecond, netem, OptionalLong.of(seed));
  }

  public boolean isEmulated() {
    return emulatedSeed.isPresent();
  }

  public LinkSpec rate(String text) {
    return new LinkSpec(between, FaultText.rateBitsPerSecond("rate", text), netem, emulatedSeed);
  }

  public LinkSpec delay(String text) {
    return new LinkSpec(
        between,
        rateBitsPerSecond,
        netem.withDelay(FaultText.duration("delay", text)),
        emulatedSeed);
  }

  public LinkSpec jitter(String text) {
    return new LinkSpec(
        between,
        rateBitsPerSecond,
        netem.withJitter(FaultText.duration("jitter", text)),
        emulatedSeed);
  }

  public LinkSpec loss(String text) {
    return new LinkSpec(
        between, rateBitsPerSecond, netem.withLoss(FaultText.percent("loss", text)), emulatedSeed);
  }

  public LinkSpec duplicate(String text) {
    return new LinkSpec(
        between,
        rateBitsPerSecond,
        netem.withDuplicate(FaultText.percent("duplicate", text)),
        emulatedSeed);
  }

  public LinkSpec reorder(String text) {
    return new LinkSpec(
        between,
        rateBitsPerSecond,
        netem.withReorder(FaultText.percent("reorder", text)),
        emulatedSeed);
  }

  public LinkSpec corrupt(String text) {
    return new LinkSpec(
        between,
        rateBitsPerSecond,
        netem.withCorrupt(FaultText.percent("corrupt", text)),
        emulatedSeed);
  }

  boolean isLan() {
    return between.size() > 2;
  }

  @Override
  public String toString() {
    return "LinkSpec"
        + between
        + (isEmulated() ? " emulated seed " + emulatedSeed.getAsLong() : "")
        + (rateBitsPerSecond > 0 ? " rate " + rateBitsPerSecond + "bit" : "")
        + (netem.isNone() ? "" : " " + netem);
  }
}
