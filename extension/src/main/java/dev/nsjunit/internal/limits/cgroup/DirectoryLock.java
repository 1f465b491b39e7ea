package dev.nsjunit.internal.limits.cgroup;

import dev.nsjunit.internal.ffi.LibC;
import java.nio.file.Path;

/**
 * An exclusive flock(2) on a cgroup directory, held across processes: test JVMs that share one
 * cgroup (Surefire with forkCount=2, Maven's next fork) change its processes and controllers only
 * one at a time. flock, not a Java FileLock: a POSIX lock would be dropped by any other close of
 * the same file in this JVM, and a directory cannot be opened as a FileChannel.
 */
final class DirectoryLock implements AutoCloseable {

  private final int fd;

  private DirectoryLock(int fd) {
    this.fd = fd;
  }

  /** Blocks until the lock is held. */
  static DirectoryLock acquire(Path dir) throws CgroupException {
    LibC libc;
    try {
      libc = LibC.get();
    } catch (LinkageError | RuntimeException e) {
      throw new CgroupException(
          "cannot lock " + dir + ": jnr-ffi could not load libc (" + e + ")", e);
    }
    int fd = libc.open(dir.toString(), LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
    if (fd < 0) {
      int errno = LibC.errno();
      throw new CgroupException("cannot open " + dir + " to lock it: " + libc.strerror(errno));
    }
    while (libc.flock(fd, LibC.LOCK_EX) != 0) {
      int errno = LibC.errno();
      if (errno != LibC.EINTR) {
        libc.close(fd);
        throw new CgroupException("cannot lock " + dir + " (flock): " + libc.strerror(errno));
      }
    }
    return new DirectoryLock(fd);
  }

  @Override
  public void close() {
    LibC.get().close(fd); // closing the last descriptor of the open file releases the flock
  }
}
