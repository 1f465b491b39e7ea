package dev.nsjunit.internal.ffi;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc calls nsjunit makes from Java (network labs, TUN devices, cgroup directory locks),
 * through jnr-ffi. Every call saves errno; read it with {@link #errno()} right after a call that
 * returned -1, on the same thread. Public only because jnr-ffi implements it in a class loader of
 * its own; not part of nsjunit's API.
 */
public interface LibC {
  int AF_NETLINK = 16;
  int SOCK_RAW = 3;
  int SOCK_CLOEXEC = 0x80000;
  int NETLINK_ROUTE = 0;
  int SOL_SOCKET = 1;
  int SO_RCVTIMEO = 20;
  int SO_RCVBUF = 8;
  int SOL_NETLINK = 270;
  int NETLINK_CAP_ACK = 10;
  int NETLINK_EXT_ACK = 11;
  int CLONE_NEWNET = 0x40000000;
  int O_RDONLY = 0;
  int O_RDWR = 2;
  int O_CLOEXEC = 0x80000;
  int O_DIRECTORY = 0x10000;
  int LOCK_EX = 2;
  int EINTR = 4;
  int EAGAIN = 11;
  int EINPROGRESS = 115;
  int AF_UNIX = 1;
  int AF_INET = 2;
  int SOCK_STREAM = 1;
  int SOCK_NONBLOCK = 0x800;
  int SO_ERROR = 4;
  int MSG_NOSIGNAL = 0x4000;
  int MSG_WAITALL = 0x100;
  int MSG_CMSG_CLOEXEC = 0x40000000;
  short POLLIN = 0x1;
  short POLLOUT = 0x4;

  /** TUN devices (emulated links): _IOW('T', 202, int). */
  long TUNSETIFF = 0x400454caL;

  short IFF_TUN = 0x0001;
  short IFF_NO_PI = 0x1000;
  int IFNAMSIZ = 16;

  /** sizeof(struct ifreq). */
  int IFREQ_SIZE = 40;

  int socket(int domain, int type, int protocol);

  int bind(int fd, @In byte[] addr, int addrlen);

  int setsockopt(int fd, int level, int optname, @In byte[] optval, int optlen);

  @ssize_t
  long sendto(int fd, @In byte[] buf, @size_t long len, int flags, @In byte[] addr, int addrlen);

  @ssize_t
  long recv(int fd, @Out byte[] buf, @size_t long len, int flags);

  int connect(int fd, @In byte[] addr, int addrlen);

  @ssize_t
  long send(int fd, @In byte[] buf, @size_t long len, int flags);

  /**
   * {@code msg} is a struct msghdr in native memory (it points at the iovec and control buffer).
   */
  @ssize_t
  long recvmsg(int fd, Pointer msg, int flags);

  int getsockopt(int fd, int level, int optname, @Out byte[] optval, @In @Out int[] optlen);

  /**
   * {@code fds} holds struct pollfd entries: int fd, short events, short revents (8 bytes each).
   */
  int poll(@In @Out byte[] fds, long nfds, int timeoutMs);

  int setns(int fd, int nstype);

  int unshare(int flags);

  int open(String path, int flags);

  int close(int fd);

  int flock(int fd, int operation);

  int ioctl(int fd, long request, @In @Out byte[] arg);

  @ssize_t
  long read(int fd, @Out byte[] buf, @size_t long len);

  @ssize_t
  long write(int fd, @In byte[] buf, @size_t long len);

  int getpid();

  int gettid();

  String strerror(int errnum);

  /** The loaded library; loading fails with an explanation when jnr-ffi cannot reach libc. */
  static LibC get() {
    return Holder.LIBC;
  }

  /** errno of the last call on this thread. */
  static int errno() {
    return Runtime.getRuntime(Holder.LIBC).getLastError();
  }

  final class Holder {
    static final LibC LIBC = load();

    private Holder() {}

    /**
     * jffi reads and writes native memory with sun.misc.Unsafe by default, and from JDK 24 on the
     * JVM prints four "WARNING: A terminally deprecated method in sun.misc.Unsafe has been called"
     * lines into the user's build for that (JEP 498). Its JNI implementation needs no Unsafe; it is
     * slower per access, which nsjunit's few small netlink messages do not notice. Left alone when
     * the user chose (or another library already loaded jffi: then jffi decided).
     */
    private static LibC load() {
      if (java.lang.Runtime.version().feature() >= 24
          && System.getProperty(UNSAFE_DISABLED) == null) {
        System.setProperty(UNSAFE_DISABLED, "true");
      }
      return LibraryLoader.create(LibC.class).load("c");
    }

    static final String UNSAFE_DISABLED = "jffi.unsafe.disabled";
  }
}
