package dev.nsjunit.internal.lab;

import dev.nsjunit.internal.ffi.LibC;
import java.util.Map;

/**
 * Linux errno values by name, for messages a person can act on ("ENOENT (No such file or
 * directory)").
 */
final class Errno {
  static final int EPERM = 1;
  static final int ENOENT = 2;
  static final int ESRCH = 3;
  static final int EBADF = 9;
  static final int ENOMEM = 12;
  static final int EACCES = 13;
  static final int EBUSY = 16;
  static final int EEXIST = 17;
  static final int ENODEV = 19;
  static final int EINVAL = 22;
  static final int ERANGE = 34;
  static final int EOPNOTSUPP = 95;
  static final int EADDRNOTAVAIL = 99;
  static final int ENETUNREACH = 101;
  static final int EHOSTUNREACH = 113;
  static final int ECONNREFUSED = 111;
  static final int ECONNRESET = 104;

  private static final Map<Integer, String> NAMES =
      Map.ofEntries(
          Map.entry(1, "EPERM"),
          Map.entry(2, "ENOENT"),
          Map.entry(3, "ESRCH"),
          Map.entry(4, "EINTR"),
          Map.entry(5, "EIO"),
          Map.entry(9, "EBADF"),
          Map.entry(11, "EAGAIN"),
          Map.entry(12, "ENOMEM"),
          Map.entry(13, "EACCES"),
          Map.entry(14, "EFAULT"),
          Map.entry(16, "EBUSY"),
          Map.entry(17, "EEXIST"),
          Map.entry(19, "ENODEV"),
          Map.entry(22, "EINVAL"),
          Map.entry(23, "ENFILE"),
          Map.entry(24, "EMFILE"),
          Map.entry(28, "ENOSPC"),
          Map.entry(34, "ERANGE"),
          Map.entry(38, "ENOSYS"),
          Map.entry(71, "EPROTO"),
          Map.entry(90, "EMSGSIZE"),
          Map.entry(93, "EPROTONOSUPPORT"),
          Map.entry(95, "EOPNOTSUPP"),
          Map.entry(97, "EAFNOSUPPORT"),
          Map.entry(98, "EADDRINUSE"),
          Map.entry(99, "EADDRNOTAVAIL"),
          Map.entry(101, "ENETUNREACH"),
          Map.entry(105, "ENOBUFS"),
          Map.entry(110, "ETIMEDOUT"),
          Map.entry(113, "EHOSTUNREACH"),
          Map.entry(32, "EPIPE"),
          Map.entry(104, "ECONNRESET"),
          Map.entry(111, "ECONNREFUSED"),
          Map.entry(115, "EINPROGRESS"));

  private Errno() {}

  static String name(int errno) {
    return NAMES.getOrDefault(errno, "errno " + errno);
  }

  /** "ENOENT (No such file or directory)". */
  static String describe(int errno) {
    String text;
    try {
      text = LibC.get().strerror(errno);
    } catch (RuntimeException | LinkageError e) {
      text = null;
    }
    return name(errno) + (text == null ? "" : " (" + text + ")");
  }
}
