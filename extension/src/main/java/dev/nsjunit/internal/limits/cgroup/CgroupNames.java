package dev.nsjunit.internal.limits.cgroup;

import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of the groups nsjunit creates. Each carries its owner JVM's pid and start time, so a later
 * run can tell a leftover of a crashed JVM from a group of a JVM that still runs (a pid alone could
 * have been reused).
 */
public final class CgroupNames {
  public static final String PREFIX = "nsjunit-";

  /** The leaf a v2 JVM moves itself into so that its own cgroup may delegate controllers. */
  static final String JVM_LEAF_PREFIX = PREFIX + "jvm-";

  private static final Pattern OWNED =
      Pattern.compile("nsjunit-(?:jvm-)?(\\d{1,10})-(\\d{1,19})(?:-\\d{1,10})?");
  // /proc/stat's btime, from which the JDK computes start instants, may drift by a second
  // between readers (clock adjustments); a pid reused within that window is not a real risk.
  private static final long START_TOLERANCE_MILLIS = 2000;

  private CgroupNames() {}

  /** {@code nsjunit-<jvm pid>-<jvm start epoch millis>-<n>}. */
  public static String forThisJvm(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must not be negative: " + n);
    }
    return PREFIX + ownerTag(ProcessHandle.current()) + "-" + n;
  }

  static String jvmLeaf() {
    return JVM_LEAF_PREFIX + ownerTag(ProcessHandle.current());
  }

  static String ownerTag(ProcessHandle process) {
    long start = process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    return process.pid() + "-" + start;
  }

  /**
   * Whether the JVM that created the group {@code name} may still be running. Names that are not
   * ours, and processes whose start time cannot be read, count as alive: the sweep must never
   * remove a group it cannot prove abandoned.
   */
  public static boolean ownerAlive(String name) {
    Matcher m = OWNED.matcher(name);
    if (!m.matches()) {
      return true;
    }
    return processAlive(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
  }

  /**
   * Whether the process {@code pid} that started at {@code startMillis} (epoch millis, as {@link
   * #ownerTag} records it; 0: unknown) still runs. The one judgement of every owner tag nsjunit
   * writes (cgroups, run directories): a live owner is never taken for a dead one.
   */
  public static boolean processAlive(long pid, long startMillis) {
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty()) {
      return false;
    }
    Optional<Instant> started = process.get().info().startInstant();
    if (started.isEmpty() || startMillis == 0) {
      return process.get().isAlive();
    }
    return process.get().isAlive()
        && Math.abs(started.get().toEpochMilli() - startMillis) <= START_TOLERANCE_MILLIS;
  }

  static boolean isOurs(String name) {
    return name.startsWith(PREFIX);
  }

  static boolean isJvmLeaf(String name) {
    return name.startsWith(JVM_LEAF_PREFIX);
  }
}
