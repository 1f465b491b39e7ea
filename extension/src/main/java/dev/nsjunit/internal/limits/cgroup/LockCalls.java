package dev.nsjunit.internal.limits.cgroup;

/**
 * The libc calls of {@link DirectoryLock}, through jnr-ffi. Public only because jnr-ffi implements
 * it in a class loader of its own; not part of nsjunit's API.
 */
public interface LockCalls {
  int open(String path, int flags);

  int flock(int fd, int operation);

  int close(int fd);

  String strerror(int errno);
}
