package dev.nsjunit.internal.lab;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * One netlink request being written: the 16-byte header, a fixed family header (ifinfomsg, tcmsg,
 * ...) written with the put methods, then attributes. Numbers are in host byte order (little-endian
 * on the machines nsjunit supports); addresses are written as their raw bytes. Like bubblewrap's
 * {@code add_rta}, attributes are appended and padded to 4 bytes.
 */
final class NetlinkMessage {
  static final int HEADER = 16;
  static final int NLM_F_REQUEST = 0x1;
  static final int NLM_F_ACK = 0x4;
  static final int NLM_F_REPLACE = 0x100;
  static final int NLM_F_EXCL = 0x200;
  static final int NLM_F_CREATE = 0x400;
  static final int NLM_F_DUMP = 0x300;
  static final int NLA_F_NESTED = 0x8000;

  private final String description;
  private IntFunction<String> hint = errno -> null;
  private ByteBuffer buf = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);

  /**
   * Every request asks for an ack. {@code description} names it in errors, e.g. "RTM_NEWLINK veth
   * eth0".
   */
  NetlinkMessage(int type, int flags, String description) {
    this.description = description;
    buf.putInt(0)
        .putShort((short) type)
        .putShort((short) (flags | NLM_F_REQUEST | NLM_F_ACK))
        .putInt(0)
        .putInt(0);
  }

  String description() {
    return description;
  }

  /** What to tell the reader when the kernel answers with this errno (null: nothing known). */
  NetlinkMessage hint(IntFunction<String> hint) {
    this.hint = hint;
    return this;
  }

  String hintFor(int errno) {
    return hint.apply(errno);
  }

  NetlinkMessage u8(int v) {
    ensure(1);
    buf.put((byte) v);
    return this;
  }

  NetlinkMessage u16(int v) {
    ensure(2);
    buf.putShort((short) v);
    return this;
  }

  NetlinkMessage u32(int v) {
    ensure(4);
    buf.putInt(v);
    return this;
  }

  NetlinkMessage bytes(byte[] v) {
    ensure(v.length);
    buf.put(v);
    return this;
  }

  NetlinkMessage attr(int type, byte[] payload) {
    int len = 4 + payload.length;
    ensure(align(len));
    buf.putShort((short) len).putShort((short) type).put(payload);
    pad();
    return this;
  }

  NetlinkMessage attrU32(int type, int v) {
    return attr(type, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
  }

  NetlinkMessage attrU64(int type, long v) {
    return attr(type, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
  }

  /** A NUL-terminated string attribute (IFLA_IFNAME, TCA_KIND, IFLA_INFO_KIND). */
  NetlinkMessage attrString(int type, String v) {
    byte[] s = v.getBytes(StandardCharsets.UTF_8);
    return attr(type, Arrays.copyOf(s, s.length + 1));
  }

  /** Starts a nested attribute; returns its position for {@link #endNest}. */
  int beginNest(int type) {
    ensure(4);
    int pos = buf.position();
    buf.putShort((short) 0).putShort((short) type);
    return pos;
  }

  NetlinkMessage endNest(int pos) {
    pad();
    buf.putShort(pos, (short) (buf.position() - pos));
    return this;
  }

  /** The bytes to send, with length and sequence number filled in. */
  byte[] encode(int seq) {
    pad();
    buf.putInt(0, buf.position());
    buf.putInt(8, seq);
    return Arrays.copyOf(buf.array(), buf.position());
  }

  static int align(int len) {
    return (len + 3) & ~3;
  }

  private void pad() {
    int target = align(buf.position());
    ensure(target - buf.position());
    while (buf.position() < target) {
      buf.put((byte) 0);
    }
  }

  private void ensure(int more) {
    if (buf.remaining() < more) {
      ByteBuffer bigger =
          ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more + 64))
              .order(ByteOrder.LITTLE_ENDIAN);
      buf.flip();
      bigger.put(buf);
      buf = bigger;
    }
  }
}
