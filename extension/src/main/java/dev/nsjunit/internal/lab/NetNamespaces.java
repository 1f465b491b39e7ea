package dev.nsjunit.internal.lab;

import dev.nsjunit.internal.ffi.LibC;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a piece of Java code inside a network namespace. {@code setns} changes only the calling
 * thread, and what that code creates (a netlink socket, a server socket, a {@code SocketChannel})
 * stays in that namespace for its whole life. The code therefore runs on a fresh, short-lived
 * thread that switches in, runs, and switches back in a finally; if switching back ever failed,
 * that thread ends anyway, so no thread of the JVM is ever left in a foreign namespace.
 */
public final class NetNamespaces {
  private NetNamespaces() {}

  /** Runs {@code body} inside the network namespace at {@code netns} (e.g. /proc/PID/ns/net). */
  public static <T> T callInside(Path netns, String what, Callable<T> body) {
    return onFreshThread(
        what,
        () -> {
          int target = open(netns.toString(), what);
          try {
            return switchedAndBack(
                what,
                () -> {
                  if (LibC.get().setns(target, LibC.CLONE_NEWNET) != 0) {
                    throw new NetlinkException(
                        "setns(" + netns + ", CLONE_NEWNET) for " + what,
                        LibC.errno(),
                        null,
                        "the namespace's holder process may have ended, or this JVM lacks CAP_SYS_ADMIN");
                  }
                },
                body);
          } finally {
            LibC.get().close(target);
          }
        });
  }

  /**
   * Runs {@code body} inside a brand-new, empty network namespace of its own ({@code unshare} on a
   * fresh thread). The namespace disappears once the thread has switched back and nothing created
   * inside (a socket) is open any more. Used for probes that need a throwaway place.
   */
  public static <T> T callInFreshNamespace(String what, Callable<T> body) {
    return onFreshThread(
        what,
        () ->
            switchedAndBack(
                what,
                () -> {
                  if (LibC.get().unshare(LibC.CLONE_NEWNET) != 0) {
                    throw new NetlinkException(
                        "unshare(CLONE_NEWNET) for " + what,
                        LibC.errno(),
                        null,
                        "creating a network namespace needs root or CAP_SYS_ADMIN");
                  }
                },
                body));
  }

  /**
   * Keeps the thread's own namespace, switches with {@code enter}, runs {@code body}, switches
   * back.
   */
  private static <T> T switchedAndBack(String what, Runnable enter, Callable<T> body)
      throws Exception {
    LibC c = LibC.get();
    int original = open("/proc/thread-self/ns/net", what);
    try {
      enter.run();
      try {
        return body.call();
      } finally {
        restore(c, original, what);
      }
    } finally {
      c.close(original);
    }
  }

  /** The inode that identifies the calling thread's network namespace ("net:[4026531840]"). */
  static String currentThreadNamespace() {
    try {
      return java.nio.file.Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static int open(String path, String what) {
    int fd = LibC.get().open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
    if (fd < 0) {
      throw new NetlinkException(
          "open(" + path + ") for " + what,
          LibC.errno(),
          null,
          "the holder process of that namespace may have ended");
    }
    return fd;
  }

  private static void restore(LibC c, int original, String what) {
    if (c.setns(original, LibC.CLONE_NEWNET) != 0) {
      // The thread is about to end, which is what keeps this harmless; still say it loudly.
      throw new IllegalStateException(
          "could not switch the helper thread back to its network namespace after "
              + what
              + ": "
              + Errno.describe(LibC.errno())
              + "; the thread ends now, no other thread is affected");
    }
  }

  private static <T> T onFreshThread(String what, Callable<T> body) {
    AtomicReference<T> result = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t =
        new Thread(
            () -> {
              try {
                result.set(body.call());
              } catch (Throwable e) {
                failure.set(e);
              }
            },
            "nsjunit-netns");
    t.setDaemon(true);
    t.start();
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    Throwable e = failure.get();
    if (e instanceof RuntimeException r) {
      throw r;
    }
    if (e instanceof Error err) {
      throw err;
    }
    if (e instanceof java.io.IOException io) {
      throw new java.io.UncheckedIOException(what + ": " + io.getMessage(), io);
    }
    if (e != null) {
      throw new IllegalStateException(what + " failed: " + e, e);
    }
    return result.get();
  }
}
