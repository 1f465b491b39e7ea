package dev.nsjunit.internal.lab;

/**
 * A link asked for netem (delay, jitter, loss, duplicate, reorder, corrupt) on a kernel without the
 * sch_netem qdisc. The message names the module and how to load it.
 */
public final class NetemUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  NetemUnavailableException(String message) {
    super(message);
  }
}
