package dev.nsjunit.internal.lab;

import dev.nsjunit.internal.ffi.LibC;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A link between two hosts that needs no netem: one TUN device in each host's network namespace and
 * a relay in this JVM (one daemon thread per direction) that reads the IP packets one host sends
 * into its TUN device and writes them into the other's, applying loss, delay, jitter, duplication,
 * reordering and corruption drawn from a {@link Random} seeded with the link's seed.
 *
 * <p>Determinism: each direction has its own {@code Random} (a→b seeded with the seed itself, b→a
 * with a value derived from it), and every IPv4 packet of a direction draws the same six numbers
 * from it, whatever the faults in force; so packet number i of a direction meets the same fate in
 * every run with the same seed and the same faults. Packets that are not IPv4 (the lab is IPv4
 * only) are discarded without drawing. The packet index counts what the sending host's kernel
 * handed to its TUN device, so it is reproducible as long as the code under test sends the same
 * packets in the same order (TCP retransmissions, being timing-driven, may not be).
 *
 * <p>Semantics, per direction, modelled on netem: {@code loss}% of packets are dropped; {@code
 * reorder}% skip the delay (so they overtake delayed ones); the others wait {@code delay} plus a
 * uniform jitter in [-jitter, +jitter]; {@code duplicate}% are sent twice; {@code corrupt}% get one
 * bit flipped after the 20-byte IP header (so a transport checksum catches it).
 *
 * <p>Lifetime: the TUN devices exist as long as their descriptors, which {@link #close()} closes
 * after stopping the relay threads. An open TUN descriptor also keeps its namespace alive, so the
 * lab closes its emulated links before it ends the namespace holders.
 */
public final class EmulatedLink implements AutoCloseable {
  /** Every relay thread's name starts with this. */
  public static final String THREAD_PREFIX = "nsjunit-relay ";

  private static final int MAX_RECORDED = 100_000;
  private static final int POLL_MS = 20;

  private final long seed;
  private final String a;
  private final String b;
  private final int fdA;
  private final int fdB;
  private final Direction ab;
  private final Direction ba;
  private volatile boolean running = true;
  private boolean closed;

  /**
   * What the relay did to one direction's packets (indices count the direction's IPv4 packets from
   * 0).
   */
  public record Traffic(
      String from,
      String to,
      long seed,
      long packets,
      long delivered,
      List<Long> dropped,
      List<Long> partitioned,
      List<Long> duplicated,
      List<Long> reordered,
      List<Long> corrupted,
      long nonIpv4Discarded,
      long writeErrors) {
    @Override
    public String toString() {
      return from
          + "->"
          + to
          + " seed "
          + seed
          + ": "
          + packets
          + " packets, "
          + delivered
          + " written, dropped "
          + dropped.size()
          + " "
          + abbreviate(dropped)
          + ", partitioned "
          + partitioned.size()
          + ", duplicated "
          + duplicated.size()
          + ", reordered "
          + reordered.size()
          + ", corrupted "
          + corrupted.size()
          + (writeErrors > 0 ? ", " + writeErrors + " write errors (device down)" : "");
    }

    private static String abbreviate(List<Long> l) {
      return l.size() <= 20 ? l.toString() : l.subList(0, 20).toString().replace("]", ", ...]");
    }
  }

  private EmulatedLink(long seed, String a, String b, int fdA, int fdB, Netem faults) {
    this.seed = seed;
    this.a = a;
    this.b = b;
    this.fdA = fdA;
    this.fdB = fdB;
    this.ab = new Direction(a, b, fdA, fdB, new Random(seed), faults);
    this.ba =
        new Direction(
            b, a, fdB, fdA, new Random(Long.rotateLeft(seed, 32) ^ 0x9E3779B97F4A7C15L), faults);
  }

  /**
   * Creates TUN device {@code ifA} in the namespace of {@code holderA} (host {@code a}) and {@code
   * ifB} in that of {@code holderB}, and starts the relay. The devices are down and unaddressed:
   * the caller configures them through rtnetlink. On failure nothing is left open.
   */
  static EmulatedLink create(
      String a,
      NamespaceHolder holderA,
      String ifA,
      String b,
      NamespaceHolder holderB,
      String ifB,
      long seed,
      Netem faults) {
    int fdA = openTun(holderA, ifA, "in host \"" + a + "\"");
    int fdB;
    try {
      fdB = openTun(holderB, ifB, "in host \"" + b + "\"");
    } catch (RuntimeException | Error e) {
      LibC.get().close(fdA);
      throw e;
    }
    EmulatedLink link = new EmulatedLink(seed, a, b, fdA, fdB, faults);
    link.ab.start();
    link.ba.start();
    return link;
  }

  /**
   * /dev/net/tun as opened by the host's holder (so the device is created in that namespace), named
   * here: TUNSETIFF needs CAP_NET_ADMIN over the namespace, which this JVM has as root or as the
   * owner of the lab's user namespace.
   */
  private static int openTun(NamespaceHolder holder, String ifname, String where) {
    byte[] name = ifname.getBytes(StandardCharsets.US_ASCII);
    if (name.length >= LibC.IFNAMSIZ) {
      throw new IllegalArgumentException(
          "TUN device name \"" + ifname + "\" is longer than 15 characters");
    }
    int fd = holder.tun("open(/dev/net/tun) for TUN device " + ifname + " " + where);
    LibC io = LibC.get();
    byte[] ifreq = new byte[LibC.IFREQ_SIZE];
    System.arraycopy(name, 0, ifreq, 0, name.length);
    ByteBuffer.wrap(ifreq)
        .order(ByteOrder.nativeOrder())
        .putShort(LibC.IFNAMSIZ, (short) (LibC.IFF_TUN | LibC.IFF_NO_PI));
    if (io.ioctl(fd, LibC.TUNSETIFF, ifreq) != 0) {
      int errno = LibC.errno();
      io.close(fd);
      throw new NetlinkException(
          "ioctl(TUNSETIFF, " + ifname + ", IFF_TUN|IFF_NO_PI) " + where,
          errno,
          null,
          errno == Errno.EBUSY ? "an interface of that name already exists" : null);
    }
    return fd;
  }

  public long seed() {
    return seed;
  }

  /** The faults the relay applies now, both directions. */
  public Netem faults() {
    return ab.faults;
  }

  /** Changes the faults of both directions; packets already waiting keep their schedule. */
  void faults(Netem faults) {
    ab.faults = faults;
    ba.faults = faults;
  }

  /** Drops (or stops dropping) every packet from {@code from} to {@code to}, silently. */
  void blocked(String from, String to, boolean blocked) {
    direction(from, to).blocked = blocked;
  }

  /** What the relay did so far to the packets from {@code from} to {@code to}. */
  public Traffic traffic(String from, String to) {
    return direction(from, to).snapshot();
  }

  private Direction direction(String from, String to) {
    if (from.equals(a) && to.equals(b)) {
      return ab;
    }
    if (from.equals(b) && to.equals(a)) {
      return ba;
    }
    throw LinkControl.wrongEnds("", from, to, this, a, b);
  }

  /**
   * "seed 42 (LinkSpec.between(...).emulated(42) replays the same packet fates)": for failure
   * messages.
   */
  public String replayHint() {
    return a
        + "<->"
        + b
        + " used seed "
        + seed
        + "; @Link(between = {\""
        + a
        + "\", \""
        + b
        + "\"}, emulated = true, seed = "
        + seed
        + ") replays the same packet fates";
  }

  /**
   * Stops the relay threads, then closes both TUN descriptors (the devices vanish with them).
   * Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    running = false;
    boolean interrupted = false;
    for (Direction d : List.of(ab, ba)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (d.thread.isAlive() && System.nanoTime() < deadline) {
        try {
          d.thread.join(100);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    LibC.get().close(fdA);
    LibC.get().close(fdB);
  }

  @Override
  public String toString() {
    return "emulated link "
        + a
        + "<->"
        + b
        + " (TUN pair, relay in the JVM) seed "
        + seed
        + ", "
        + ab.faults;
  }

  private record Pending(long dueNanos, long order, byte[] packet) implements Comparable<Pending> {
    @Override
    public int compareTo(Pending o) {
      int c = Long.compare(dueNanos, o.dueNanos);
      return c != 0 ? c : Long.compare(order, o.order);
    }
  }

  /**
   * One direction: reads {@code src}, writes {@code dst}; all state but the counters is this
   * thread's own.
   */
  private final class Direction implements Runnable {
    final String from;
    final String to;
    final int src;
    final int dst;
    final Random random;
    final Thread thread;
    final PriorityQueue<Pending> queue = new PriorityQueue<>();
    volatile Netem faults;
    volatile boolean blocked;
    private long order;
    // guarded by this
    private long packets;
    private long delivered;
    private long nonIpv4;
    private long writeErrors;
    private final List<Long> dropped = new ArrayList<>();
    private final List<Long> partitioned = new ArrayList<>();
    private final List<Long> duplicated = new ArrayList<>();
    private final List<Long> reordered = new ArrayList<>();
    private final List<Long> corrupted = new ArrayList<>();

    Direction(String from, String to, int src, int dst, Random random, Netem faults) {
      this.from = from;
      this.to = to;
      this.src = src;
      this.dst = dst;
      this.random = random;
      this.faults = faults;
      this.thread = new Thread(this, THREAD_PREFIX + from + "->" + to + " seed " + seed);
      this.thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    @Override
    public void run() {
      LibC io = LibC.get();
      byte[] buf = new byte[65536];
      byte[] pollfd = new byte[8];
      ByteBuffer pfd = ByteBuffer.wrap(pollfd).order(ByteOrder.nativeOrder());
      while (running) {
        int timeout = POLL_MS;
        Pending head = queue.peek();
        if (head != null) {
          long waitNs = head.dueNanos - System.nanoTime();
          timeout = (int) Math.max(0, Math.min(POLL_MS, (waitNs + 999_999) / 1_000_000));
        }
        pfd.putInt(0, src).putShort(4, LibC.POLLIN).putShort(6, (short) 0);
        int ready = io.poll(pollfd, 1, timeout);
        if (ready > 0) {
          short revents = pfd.getShort(6);
          if ((revents & LibC.POLLIN) != 0) {
            long n = io.read(src, buf, buf.length);
            if (n > 0) {
              byte[] packet = new byte[(int) n];
              System.arraycopy(buf, 0, packet, 0, (int) n);
              handle(packet);
            }
          } else {
            sleepQuietly(); // POLLERR/POLLHUP: nothing to read, do not spin
          }
        }
        flush(io);
      }
    }

    private void handle(byte[] packet) {
      if (packet.length < 20 || (packet[0] & 0xf0) != 0x40) {
        synchronized (this) {
          nonIpv4++;
        }
        return;
      }
      // Always the same draws per packet, so a packet's fate depends only on seed, index and
      // faults.
      double uLoss = random.nextDouble();
      double uReorder = random.nextDouble();
      double uJitter = random.nextDouble();
      double uDuplicate = random.nextDouble();
      double uCorrupt = random.nextDouble();
      double uWhere = random.nextDouble();
      Netem f = faults;
      long index;
      synchronized (this) {
        index = packets++;
        if (blocked) {
          record(partitioned, index);
          return;
        }
        if (uLoss * 100 < f.lossPercent()) {
          record(dropped, index);
          return;
        }
      }
      if (uCorrupt * 100 < f.corruptPercent() && packet.length > 20) {
        int at = 20 + (int) (uWhere * (packet.length - 20));
        packet[Math.min(at, packet.length - 1)] ^= 0x01;
        synchronized (this) {
          record(corrupted, index);
        }
      }
      long delayNs;
      if (uReorder * 100 < f.reorderPercent()) {
        delayNs = 0;
        synchronized (this) {
          record(reordered, index);
        }
      } else {
        delayNs = f.delay().toNanos() + Math.round((2 * uJitter - 1) * f.jitter().toNanos());
        delayNs = Math.max(0, delayNs);
      }
      long due = System.nanoTime() + delayNs;
      queue.add(new Pending(due, order++, packet));
      if (uDuplicate * 100 < f.duplicatePercent()) {
        queue.add(new Pending(due, order++, packet.clone()));
        synchronized (this) {
          record(duplicated, index);
        }
      }
    }

    private void flush(LibC io) {
      long now = System.nanoTime();
      while (!queue.isEmpty() && queue.peek().dueNanos <= now) {
        byte[] p = queue.poll().packet;
        long w = io.write(dst, p, p.length);
        synchronized (this) {
          if (w == p.length) {
            delivered++;
          } else {
            writeErrors++;
          }
        }
      }
    }

    private void record(List<Long> list, long index) {
      if (list.size() < MAX_RECORDED) {
        list.add(index);
      }
    }

    synchronized Traffic snapshot() {
      return new Traffic(
          from,
          to,
          seed,
          packets,
          delivered,
          List.copyOf(dropped),
          List.copyOf(partitioned),
          List.copyOf(duplicated),
          List.copyOf(reordered),
          List.copyOf(corrupted),
          nonIpv4,
          writeErrors);
    }

    private void sleepQuietly() {
      try {
        Thread.sleep(POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
