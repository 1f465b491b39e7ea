package dev.nsjunit.internal.lab;

import java.util.Optional;

/**
 * A netlink request the kernel refused, or a system call around it that failed. The message names
 * the request and where it ran ("RTM_NEWQDISC netem on eth0 in host \"client\""), the errno with
 * its name and text, the kernel's own explanation when it sent one, and a hint when one is known.
 */
public final class NetlinkException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int errno;

  NetlinkException(String request, int errno, String kernelMessage, String hint) {
    super(format(request, errno, kernelMessage, hint));
    this.errno = errno;
  }

  /** The positive errno, e.g. 2 for ENOENT. */
  public int errno() {
    return errno;
  }

  /** The errno's symbolic name, e.g. "ENOENT". */
  public String errnoName() {
    return Errno.name(errno);
  }

  private static String format(String request, int errno, String kernelMessage, String hint) {
    StringBuilder b = new StringBuilder(request).append(": ").append(Errno.describe(errno));
    Optional.ofNullable(kernelMessage)
        .filter(m -> !m.isBlank())
        .ifPresent(m -> b.append(": kernel says \"").append(m).append('"'));
    Optional.ofNullable(hint).ifPresent(h -> b.append(": ").append(h));
    return b.toString();
  }
}
