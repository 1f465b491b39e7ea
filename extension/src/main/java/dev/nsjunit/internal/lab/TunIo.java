package dev.nsjunit.internal.lab;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc calls an emulated link's TUN devices need (open /dev/net/tun, TUNSETIFF, poll, read,
 * write), through jnr-ffi. Kept apart from {@link LibC} so the netlink code is untouched. Public
 * only because jnr-ffi implements it in a class loader of its own; not part of nsjunit's API.
 */
public interface TunIo {
  /** _IOW('T', 202, int). */
  long TUNSETIFF = 0x400454caL;
  short IFF_TUN = 0x0001;
  short IFF_NO_PI = 0x1000;
  short POLLIN = 0x1;
  int IFNAMSIZ = 16;
  /** sizeof(struct ifreq). */
  int IFREQ_SIZE = 40;

  int open(String path, int flags);

  int ioctl(int fd, long request, @In @Out byte[] arg);

  /** {@code fds} holds struct pollfd entries: int fd, short events, short revents (8 bytes each). */
  int poll(@In @Out byte[] fds, long nfds, int timeoutMs);

  @ssize_t long read(int fd, @Out byte[] buf, @size_t long len);

  @ssize_t long write(int fd, @In byte[] buf, @size_t long len);

  int close(int fd);

  static TunIo get() {
    return Holder.IO;
  }

  /** errno of the last call on this thread. */
  static int errno() {
    return Runtime.getRuntime(Holder.IO).getLastError();
  }

  final class Holder {
    static final TunIo IO = LibraryLoader.create(TunIo.class).load("c");

    private Holder() {}
  }
}
