package dev.nsjunit.internal.limits.cgroup;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where test cgroups may go on a cgroup v2 host when this JVM's own cgroup cannot hold them
 * ({@value #PROPERTY}). On v1 and hybrid hosts every JVM can use its own groups, so this changes
 * nothing there.
 */
public enum CgroupPlacement {
  /**
   * {@link #OWN} when that works without touching anything else; else {@link #SYSTEMD} where
   * systemd manages this JVM's cgroup; else {@link #LEAF}.
   */
  AUTO,
  /**
   * Only below this JVM's own cgroup, which it may move itself out of into a leaf when it is the
   * only process there. Touches nothing nsjunit did not create.
   */
  OWN,
  /**
   * A transient systemd scope with {@code Delegate=yes}, asked of systemd with {@code systemd-run
   * --scope} (of the user's manager when not root), held by a process of nsjunit's that ends with
   * this JVM; systemd removes the scope then.
   */
  SYSTEMD,
  /**
   * Every process of this JVM's cgroup is moved into a leaf group {@value #LEAF_NAME} below it, as
   * Docker-in-Docker and kind do with a container's root cgroup, so the controllers can be enabled
   * for test groups beside it; moved back when the last nsjunit JVM there ends.
   */
  LEAF;

  public static final String PROPERTY = "nsjunit.cgroup.placement";

  /** The group {@link #LEAF} moves the processes of a shared cgroup into. */
  public static final String LEAF_NAME = "nsjunit-leaf";

  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<CgroupPlacement> parse(String value) {
    return Arrays.stream(values()).filter(p -> p.value().equals(value.strip())).findFirst();
  }

  public static String allowed() {
    return Arrays.stream(values())
        .map(p -> "\"" + p.value() + "\"")
        .collect(Collectors.joining(", "));
  }
}
