package dev.nsjunit.internal.limits.cgroup;

import java.nio.file.Path;
import jnr.ffi.LibraryLoader;

/**
 * An exclusive flock(2) on a cgroup directory, held across processes: test JVMs that share one
 * cgroup (Surefire with forkCount=2, Maven's next fork) change its processes and controllers only
 * one at a time. flock, not a Java FileLock: a POSIX lock would be dropped by any other close of
 * the same file in this JVM, and a directory cannot be opened as a FileChannel.
 */
final class DirectoryLock implements AutoCloseable {
  private static final int O_RDONLY = 0;
  private static final int O_DIRECTORY = 0x10000;
  private static final int O_CLOEXEC = 0x80000;
  private static final int LOCK_EX = 2;
  private static final int EINTR = 4;

  private static final class Libc {
    static final LockCalls CALLS = LibraryLoader.create(LockCalls.class).load("c");
  }

  private final int fd;

  private DirectoryLock(int fd) {
    this.fd = fd;
  }

  /** Blocks until the lock is held. */
  static DirectoryLock acquire(Path dir) throws CgroupException {
    LockCalls libc;
    try {
      libc = Libc.CALLS;
    } catch (LinkageError | RuntimeException e) {
      throw new CgroupException("cannot lock " + dir + ": jnr-ffi could not load libc (" + e + ")", e);
    }
    int fd = libc.open(dir.toString(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      int errno = jnr.ffi.Runtime.getSystemRuntime().getLastError();
      throw new CgroupException("cannot open " + dir + " to lock it: " + libc.strerror(errno));
    }
    while (libc.flock(fd, LOCK_EX) != 0) {
      int errno = jnr.ffi.Runtime.getSystemRuntime().getLastError();
      if (errno != EINTR) {
        libc.close(fd);
        throw new CgroupException("cannot lock " + dir + " (flock): " + libc.strerror(errno));
      }
    }
    return new DirectoryLock(fd);
  }

  @Override
  public void close() {
    Libc.CALLS.close(fd); // closing the last descriptor of the open file releases the flock
  }
}
