package dev.nsjunit.internal.limits.cgroup;

/**
 * This JVM's own cgroup cannot hold test groups (it shares the cgroup with other processes, or the
 * controllers are not delegated to it). The full message is for {@link CgroupPlacement#OWN}; {@link
 * #reason()} is the short form other placements quote when they fail too.
 */
final class OwnCgroupRefusal extends CgroupException {
  private static final long serialVersionUID = 1L;
  private final String reason;

  OwnCgroupRefusal(String message, String reason) {
    super(message);
    this.reason = reason;
  }

  String reason() {
    return reason;
  }
}
