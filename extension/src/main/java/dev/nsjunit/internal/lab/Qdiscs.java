package dev.nsjunit.internal.lab;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * TCA_OPTIONS payloads for the queueing disciplines the lab uses (tbf for rate, netem for delay,
 * jitter, loss, duplication, reordering and corruption), and what to say when a kind is missing.
 */
final class Qdiscs {
  static final int TCA_TBF_PARMS = 1;
  static final int TCA_TBF_RATE64 = 4;
  static final int TCA_TBF_BURST = 6;
  static final int TCA_NETEM_REORDER = 3;
  static final int TCA_NETEM_CORRUPT = 4;
  static final int TCA_NETEM_LATENCY64 = 10;
  static final int TCA_NETEM_JITTER64 = 11;
  private static final int TC_LINKLAYER_ETHERNET = 1;

  /** Kernel packet-scheduler ticks are 64 ns (PSCHED_SHIFT 6). */
  private static final int PSCHED_SHIFT = 6;

  private static final int NETEM_LIMIT_PACKETS = 1000;

  private Qdiscs() {}

  /**
   * tbf at {@code bitsPerSecond}: a burst of 10 ms (at least two full frames), a queue of 500 ms.
   */
  static byte[] tbf(long bitsPerSecond) {
    long bytesPerSecond = Math.max(1, bitsPerSecond / 8);
    int burst = (int) Math.min(Integer.MAX_VALUE, Math.max(2 * 1514 + 100, bytesPerSecond / 100));
    int limit = (int) Math.min(Integer.MAX_VALUE, burst + bytesPerSecond / 2);
    long bufferNs = burst * 1_000_000_000L / bytesPerSecond;
    ByteBuffer parms = RtNetlink.littleEndian(36);
    // struct tc_ratespec rate: cell_log, linklayer, overhead, cell_align, mpu, rate (bytes/s)
    parms
        .put((byte) 0)
        .put((byte) TC_LINKLAYER_ETHERNET)
        .putShort((short) 0)
        .putShort((short) 0)
        .putShort((short) 0)
        .putInt((int) Math.min(0xFFFFFFFFL, bytesPerSecond));
    parms.put(new byte[12]); // peakrate: none
    parms.putInt(limit).putInt((int) Math.min(0xFFFFFFFFL, bufferNs >> PSCHED_SHIFT)).putInt(0);
    Attrs a = new Attrs().attr(TCA_TBF_PARMS, parms.array());
    if (bytesPerSecond > 0xFFFFFFFFL) {
      a.attr(TCA_TBF_RATE64, RtNetlink.littleEndian(8).putLong(bytesPerSecond).array());
    }
    return a.attr(TCA_TBF_BURST, RtNetlink.littleEndian(4).putInt(burst).array()).bytes();
  }

  /** struct tc_netem_qopt followed by attributes, as netem_change() parses it. */
  static byte[] netem(Netem n) {
    long delayNs = n.delay().toNanos();
    long jitterNs = n.jitter().toNanos();
    boolean reorder = n.reorderPercent() > 0;
    ByteBuffer q = RtNetlink.littleEndian(24);
    q.putInt(ticks(delayNs))
        .putInt(NETEM_LIMIT_PACKETS)
        .putInt(probability(n.lossPercent()))
        .putInt(
            reorder ? 1 : 0) // gap: as tc does, reordering means "every packet may jump the queue"
        .putInt(probability(n.duplicatePercent()))
        .putInt(ticks(jitterNs));
    Attrs a = new Attrs();
    a.raw(q.array());
    if (reorder) {
      a.attr(
          TCA_NETEM_REORDER,
          RtNetlink.littleEndian(8).putInt(probability(n.reorderPercent())).putInt(0).array());
    }
    if (n.corruptPercent() > 0) {
      a.attr(
          TCA_NETEM_CORRUPT,
          RtNetlink.littleEndian(8).putInt(probability(n.corruptPercent())).putInt(0).array());
    }
    a.attr(TCA_NETEM_LATENCY64, RtNetlink.littleEndian(8).putLong(delayNs).array());
    a.attr(TCA_NETEM_JITTER64, RtNetlink.littleEndian(8).putLong(jitterNs).array());
    return a.bytes();
  }

  /** What to do when the kernel refuses a qdisc kind, or null when nothing specific is known. */
  static String hint(String kind, int errno) {
    if (errno == Errno.ENOENT || errno == Errno.EOPNOTSUPP) {
      return "the kernel has no sch_"
          + kind
          + " module: modprobe sch_"
          + kind
          + (kind.equals("netem") ? " (package linux-modules-extra-$(uname -r) on Ubuntu)" : "");
    }
    if (errno == Errno.EINVAL && kind.equals("netem")) {
      return "the kernel rejected the netem parameters (reordering needs a delay)";
    }
    return null;
  }

  static Duration fromTicks(int ticks) {
    return Duration.ofNanos(((long) ticks) << PSCHED_SHIFT);
  }

  private static int ticks(long ns) {
    return (int) Math.min(0xFFFFFFFFL, ns >> PSCHED_SHIFT);
  }

  /** A percentage as netem's 32-bit probability (100% = 0xFFFFFFFF). */
  static int probability(double percent) {
    return (int) Math.min(0xFFFFFFFFL, Math.round(percent / 100.0 * 0xFFFFFFFFL));
  }

  /** A flat run of attributes (a nested payload without its own header). */
  private static final class Attrs {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Attrs raw(byte[] b) {
      out.writeBytes(b);
      while (out.size() % 4 != 0) {
        out.write(0);
      }
      return this;
    }

    Attrs attr(int type, byte[] payload) {
      ByteBuffer h =
          RtNetlink.littleEndian(4).putShort((short) (4 + payload.length)).putShort((short) type);
      out.writeBytes(h.array());
      return raw(payload);
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
