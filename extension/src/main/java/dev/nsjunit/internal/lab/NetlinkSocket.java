package dev.nsjunit.internal.lab;

import dev.nsjunit.internal.ffi.LibC;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A NETLINK_ROUTE socket bound to one network namespace. It is opened inside that namespace, by the
 * namespace's holder process (see {@link NamespaceHolder}) or, in tests, by a thread switched into
 * it (see {@link NetNamespaces}), and keeps working there afterwards from any thread. Every request
 * asks for an ack; an error ack becomes a {@link NetlinkException} that names the request, where it
 * ran, the errno and the kernel's extended ack message (NETLINK_EXT_ACK) when there is one.
 */
final class NetlinkSocket implements AutoCloseable {
  static final int NLMSG_ERROR = 2;
  static final int NLMSG_DONE = 3;
  private static final int NLM_F_CAPPED = 0x100;
  private static final int NLM_F_ACK_TLVS = 0x200;
  private static final int NLMSGERR_ATTR_MSG = 1;
  private static final int RECEIVE_TIMEOUT_SECONDS = 10;

  private final int fd;
  private final String where;
  private int seq = 1;
  private boolean closed;

  private NetlinkSocket(int fd, String where) {
    this.fd = fd;
    this.where = where;
  }

  /** A socket in the namespace at {@code netns}; {@code where} reads like "in host \"client\"". */
  static NetlinkSocket openIn(Path netns, String where) {
    return NetNamespaces.callInside(netns, "opening a netlink socket " + where, () -> open(where));
  }

  /** A socket in the calling thread's current namespace. */
  static NetlinkSocket open(String where) {
    int fd =
        LibC.get().socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, LibC.NETLINK_ROUTE);
    if (fd < 0) {
      throw new NetlinkException(
          "socket(AF_NETLINK, NETLINK_ROUTE) " + where, LibC.errno(), null, null);
    }
    return adopt(fd, where);
  }

  /**
   * Takes over {@code fd}, an unbound NETLINK_ROUTE socket opened elsewhere (by a namespace holder,
   * inside its network namespace): the socket stays in that namespace whoever uses it.
   */
  static NetlinkSocket adopt(int fd, String where) {
    LibC c = LibC.get();
    try {
      setInt(c, fd, LibC.SOL_NETLINK, LibC.NETLINK_EXT_ACK, 1, where);
      setInt(c, fd, LibC.SOL_NETLINK, LibC.NETLINK_CAP_ACK, 1, where);
      byte[] tv =
          ByteBuffer.allocate(16)
              .order(ByteOrder.LITTLE_ENDIAN)
              .putLong(RECEIVE_TIMEOUT_SECONDS)
              .putLong(0)
              .array();
      if (c.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, tv, tv.length) != 0) {
        throw new NetlinkException(
            "setsockopt(SO_RCVTIMEO) on a netlink socket " + where, LibC.errno(), null, null);
      }
      byte[] addr = new byte[12];
      addr[0] = (byte) LibC.AF_NETLINK;
      if (c.bind(fd, addr, addr.length) != 0) {
        throw new NetlinkException("bind(AF_NETLINK) " + where, LibC.errno(), null, null);
      }
    } catch (RuntimeException e) {
      c.close(fd);
      throw e;
    }
    return new NetlinkSocket(fd, where);
  }

  String where() {
    return where;
  }

  /** Sends {@code request} and waits for its ack; returns the data messages that came before it. */
  synchronized List<ByteBuffer> request(NetlinkMessage request) {
    if (closed) {
      throw new IllegalStateException(
          request.description() + " " + where + ": the netlink socket is closed");
    }
    int mySeq = seq++;
    byte[] bytes = request.encode(mySeq);
    ByteBuffer hdr = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    boolean dump = (hdr.getShort(6) & NetlinkMessage.NLM_F_DUMP) == NetlinkMessage.NLM_F_DUMP;
    byte[] kernel = new byte[12];
    kernel[0] = (byte) LibC.AF_NETLINK;
    LibC c = LibC.get();
    long sent = c.sendto(fd, bytes, bytes.length, 0, kernel, kernel.length);
    if (sent != bytes.length) {
      throw new NetlinkException(
          request.description() + " " + where + " (sendto)",
          sent < 0 ? LibC.errno() : 0,
          null,
          null);
    }
    List<ByteBuffer> data = new ArrayList<>();
    byte[] rx = new byte[64 * 1024];
    while (true) {
      long n = c.recv(fd, rx, rx.length, 0);
      if (n < 0) {
        int errno = LibC.errno();
        if (errno == LibC.EINTR) {
          continue;
        }
        throw new NetlinkException(
            request.description() + " " + where + " (waiting for the kernel's answer)",
            errno,
            null,
            errno == LibC.EAGAIN ? "no answer within " + RECEIVE_TIMEOUT_SECONDS + " s" : null);
      }
      ByteBuffer b = ByteBuffer.wrap(rx, 0, (int) n).order(ByteOrder.LITTLE_ENDIAN);
      while (b.remaining() >= NetlinkMessage.HEADER) {
        int start = b.position();
        int len = b.getInt(start);
        int type = b.getShort(start + 4) & 0xffff;
        int flags = b.getShort(start + 6) & 0xffff;
        int msgSeq = b.getInt(start + 8);
        if (len < NetlinkMessage.HEADER || start + len > b.limit()) {
          throw new IllegalStateException(
              request.description()
                  + " "
                  + where
                  + ": malformed netlink answer (length "
                  + len
                  + ")");
        }
        b.position(Math.min(b.limit(), start + NetlinkMessage.align(len)));
        if (msgSeq != mySeq) {
          continue; // an answer to an earlier request that timed out
        }
        if (type == NLMSG_ERROR) {
          int error = b.getInt(start + 16);
          if (error == 0) {
            return data;
          }
          throw new NetlinkException(
              request.description() + " " + where,
              -error,
              extAckMessage(b, start, len, flags),
              request.hintFor(-error));
        }
        if (type == NLMSG_DONE) {
          if (dump) {
            return data;
          }
          continue;
        }
        byte[] copy = new byte[len];
        System.arraycopy(rx, start, copy, 0, len);
        data.add(ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN));
      }
    }
  }

  /** The kernel's human-readable reason (NLMSGERR_ATTR_MSG), when it sent one. */
  private static String extAckMessage(ByteBuffer b, int start, int len, int flags) {
    if ((flags & NLM_F_ACK_TLVS) == 0) {
      return null;
    }
    int offset = start + 16 + 4; // nlmsghdr + int error
    int inner = b.getInt(offset); // the echoed request's nlmsghdr: its length unless capped
    offset += (flags & NLM_F_CAPPED) != 0 ? 16 : NetlinkMessage.align(inner);
    int end = start + len;
    while (offset + 4 <= end) {
      int alen = b.getShort(offset) & 0xffff;
      int atype = b.getShort(offset + 2) & 0x7fff;
      if (alen < 4 || offset + alen > end) {
        break;
      }
      if (atype == NLMSGERR_ATTR_MSG) {
        int sl = alen - 4;
        while (sl > 0 && b.get(offset + 4 + sl - 1) == 0) {
          sl--;
        }
        byte[] s = new byte[sl];
        for (int i = 0; i < sl; i++) {
          s[i] = b.get(offset + 4 + i);
        }
        return new String(s, StandardCharsets.UTF_8);
      }
      offset += NetlinkMessage.align(alen);
    }
    return null;
  }

  private static void setInt(LibC c, int fd, int level, int opt, int value, String where) {
    byte[] v = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
    // Extended acks are a nicety: older kernels without them still work.
    c.setsockopt(fd, level, opt, v, v.length);
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      LibC.get().close(fd);
    }
  }
}
