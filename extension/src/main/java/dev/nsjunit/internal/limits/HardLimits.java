package dev.nsjunit.internal.limits;

import dev.nsjunit.internal.namespaces.Capabilities;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The hard resource limits this JVM passes on to its sandboxes. Without CAP_SYS_RESOURCE (an
 * ordinary user; a user namespace does not give it, the kernel checks it in the initial one) a hard
 * limit can only be lowered, so an {@code @Rlimit} above it is refused here, with the limit and the
 * fix, before anything starts.
 */
public final class HardLimits {
  /** {@code @Rlimit} attribute → the row of /proc/self/limits and what it counts. */
  private static final Map<String, String[]> ROWS =
      Map.of(
          "nofile",
              new String[] {
                "Max open files", "open files", "ulimit -Hn, LimitNOFILE= of a systemd unit"
              },
          "nproc",
              new String[] {
                "Max processes", "processes", "ulimit -Hu, LimitNPROC= of a systemd unit"
              },
          "core",
              new String[] {
                "Max core file size",
                "bytes of core dump",
                "ulimit -Hc, LimitCORE= of a systemd unit"
              });

  private HardLimits() {}

  /** Why {@code requested} (@Rlimit attribute → value) cannot be set, or empty when it can. */
  public static Optional<String> refused(Map<String, Long> requested) {
    if (requested.isEmpty() || Capabilities.effective(Capabilities.CAP_SYS_RESOURCE)) {
      return Optional.empty();
    }
    return refused(requested, Path.of("/proc/self/limits"));
  }

  static Optional<String> refused(Map<String, Long> requested, Path limitsFile) {
    String table;
    try {
      table = Files.readString(limitsFile);
    } catch (IOException e) {
      return Optional.empty(); // the launcher still says so if setrlimit fails
    }
    for (Map.Entry<String, Long> e : requested.entrySet()) {
      String[] row = ROWS.get(e.getKey());
      if (row == null) {
        continue;
      }
      Optional<Long> hard = hardLimit(table, row[0]);
      if (hard.isPresent() && e.getValue() > hard.get()) {
        return Optional.of(
            "@Rlimit("
                + e.getKey()
                + " = "
                + e.getValue()
                + ") is above this JVM's hard limit of "
                + hard.get()
                + " "
                + row[1]
                + ", and without CAP_SYS_RESOURCE (root) a hard limit can only be lowered:"
                + " use a value of at most "
                + hard.get()
                + ", or raise the hard limit of whatever starts the tests ("
                + row[2]
                + ", /etc/security/limits.conf)");
      }
    }
    return Optional.empty();
  }

  /**
   * The hard limit in the row starting with {@code name}; empty for "unlimited" or a missing row.
   */
  private static Optional<Long> hardLimit(String table, String name) {
    for (String line : table.split("\n")) {
      if (line.startsWith(name + " ")) {
        String[] columns = line.substring(name.length()).trim().split("\\s+");
        if (columns.length >= 2 && !columns[1].equals("unlimited")) {
          try {
            return Optional.of(Long.parseLong(columns[1]));
          } catch (NumberFormatException ignored) {
            return Optional.empty();
          }
        }
      }
    }
    return Optional.empty();
  }
}
