package dev.nsjunit.internal.lab;

import dev.nsjunit.internal.ffi.LibC;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The client end of a namespace holder's socket ({@code nsjunit-launch --hold}, see
 * native-helper/src/main/c/holder.h): one request per connection, answered with an errno and, on
 * success, one descriptor passed with SCM_RIGHTS. The holder opened it inside its namespaces, so a
 * netlink or INET socket works there and a namespace file names exactly that namespace. This is how
 * the lab works without joining anything: an unprivileged, multi-threaded JVM can neither enter a
 * user namespace nor setns() into a network namespace, but the kernel checks a netlink socket's
 * requests against the credentials of the process that opened it (and the JVM's user owns the lab's
 * user namespace). As root the same path is used: it is as fast, and no thread switches.
 */
final class HolderSocket {
  static final byte NET_NAMESPACE = 'n';
  static final byte SOCKET = 's';
  static final byte TUN = 't';

  private static final int SOL_SOCKET = 1;
  private static final int SCM_RIGHTS = 1;
  private static final int SUN_PATH_MAX = 108;
  // Offsets in one native block: the answer, its iovec, the control buffer, the msghdr (x86_64).
  private static final int IOVEC = 16;
  private static final int CONTROL = 32;
  private static final int CONTROL_SPACE = 24; // CMSG_SPACE(sizeof(int))
  private static final int MSGHDR = 64;
  private static final int BLOCK = 128;

  private HolderSocket() {}

  /**
   * Asks the holder at {@code socket} for one descriptor ({@code op} with the socket's domain, type
   * and protocol for {@link #SOCKET}); {@code what} describes the request for messages and {@code
   * hint} (may be null) explains a refusal by the holder. The caller owns the descriptor.
   */
  static int request(
      Path socket, byte op, int domain, int type, int protocol, String what, String hint) {
    LibC c = LibC.get();
    int fd = c.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
    if (fd < 0) {
      throw new NetlinkException("socket(AF_UNIX) for " + what, LibC.errno(), null, null);
    }
    try {
      if (c.connect(fd, address(socket), 2 + SUN_PATH_MAX) != 0) {
        throw new NetlinkException(
            "connect(" + socket + ") for " + what,
            LibC.errno(),
            null,
            "the namespace holder has ended (its lab was closed, or the holder process was killed)");
      }
      byte[] request =
          ByteBuffer.allocate(16)
              .order(ByteOrder.nativeOrder())
              .put(0, op)
              .putInt(4, domain)
              .putInt(8, type)
              .putInt(12, protocol)
              .array();
      if (c.send(fd, request, request.length, LibC.MSG_NOSIGNAL) != request.length) {
        throw new NetlinkException("send(" + socket + ") for " + what, LibC.errno(), null, null);
      }
      return receiveDescriptor(c, fd, socket, what, hint);
    } finally {
      c.close(fd);
    }
  }

  private static int receiveDescriptor(LibC c, int fd, Path socket, String what, String hint) {
    Pointer block = Memory.allocateDirect(Runtime.getRuntime(c), BLOCK, true);
    long base = block.address();
    block.putAddress(IOVEC, base);
    block.putLong(IOVEC + 8, 4);
    block.putAddress(MSGHDR + 16, base + IOVEC); // msg_iov
    block.putLong(MSGHDR + 24, 1); // msg_iovlen
    block.putAddress(MSGHDR + 32, base + CONTROL); // msg_control
    block.putLong(MSGHDR + 40, CONTROL_SPACE); // msg_controllen
    long n = c.recvmsg(fd, block.slice(MSGHDR), LibC.MSG_CMSG_CLOEXEC | LibC.MSG_WAITALL);
    if (n != 4) {
      throw new NetlinkException(
          "recvmsg(" + socket + ") for " + what,
          n < 0 ? LibC.errno() : Errno.ECONNRESET,
          null,
          n < 0
              ? null
              : "the holder closed the connection unanswered: only the user that started it may ask");
    }
    int error = block.getInt(0);
    if (error != 0) {
      throw new NetlinkException(what, error, null, hint);
    }
    boolean rights =
        block.getLong(MSGHDR + 40) >= 20
            && block.getLong(CONTROL) == 20
            && block.getInt(CONTROL + 8) == SOL_SOCKET
            && block.getInt(CONTROL + 12) == SCM_RIGHTS;
    if (!rights) {
      throw new IllegalStateException(
          what + ": the holder at " + socket + " answered without a descriptor");
    }
    return block.getInt(CONTROL + 16);
  }

  private static byte[] address(Path socket) {
    byte[] path = socket.toString().getBytes(StandardCharsets.UTF_8);
    if (path.length >= SUN_PATH_MAX) {
      throw new IllegalArgumentException(
          "the holder socket path "
              + socket
              + " is longer than "
              + (SUN_PATH_MAX - 1)
              + " bytes: set java.io.tmpdir to a shorter directory");
    }
    byte[] addr = new byte[2 + SUN_PATH_MAX];
    ByteBuffer.wrap(addr).order(ByteOrder.nativeOrder()).putShort(0, (short) LibC.AF_UNIX);
    System.arraycopy(path, 0, addr, 2, path.length);
    return addr;
  }
}
