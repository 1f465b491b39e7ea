package dev.nsjunit.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time of this JVM and of everything it starts: the JVM moves itself into a new CPU accounting
 * cgroup below its own (cgroup v1 {@code cpuacct}, or a cgroup v2 group's {@code cpu.stat}), so
 * every process it starts meanwhile (the launcher, the sandbox's init, the child JVM, which are
 * grandchildren and not all reaped by this JVM) is counted there, however it ends. {@link #close()}
 * moves the JVM back to its own group and removes the new one.
 */
final class CpuMeter {
  private final Path home;
  private final Path group;
  private final boolean v2;

  private CpuMeter(Path home, Path group, boolean v2) {
    this.home = home;
    this.group = group;
    this.v2 = v2;
  }

  /** Creates the group below this process's own and moves this process (all threads) into it. */
  static CpuMeter enter() throws IOException {
    Path home = null;
    boolean v2 = false;
    for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
      String[] f = line.split(":", 3);
      if (f.length < 3) {
        continue;
      }
      if (List.of(f[1].split(",")).contains("cpuacct")) {
        for (Path mount :
            List.of(Path.of("/sys/fs/cgroup", f[1]), Path.of("/sys/fs/cgroup/cpuacct"))) {
          Path dir = Path.of(mount + f[2]);
          if (Files.isRegularFile(dir.resolve("cpuacct.usage"))) {
            home = dir;
            break;
          }
        }
      }
    }
    if (home == null) {
      for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
        if (line.startsWith("0::")
            && Files.isRegularFile(Path.of("/sys/fs/cgroup/cgroup.controllers"))) {
          Path dir = Path.of("/sys/fs/cgroup" + line.substring(3));
          if (Files.isRegularFile(dir.resolve("cpu.stat"))) {
            home = dir;
            v2 = true;
          }
        }
      }
    }
    if (home == null) {
      throw new IOException(
          "neither a v1 cpuacct hierarchy nor a pure cgroup v2 hierarchy in /proc/self/cgroup");
    }
    Path group = home.resolve("nsjunit-bench-cpu-" + ProcessHandle.current().pid());
    Files.createDirectory(group);
    try {
      Files.writeString(
          group.resolve("cgroup.procs"), Long.toString(ProcessHandle.current().pid()));
    } catch (IOException e) {
      Files.deleteIfExists(group);
      throw e;
    }
    CpuMeter meter = new CpuMeter(home, group, v2);
    meter.totalNanos();
    return meter;
  }

  String describe() {
    return v2
        ? "cgroup v2 `cpu.stat` usage_usec of a group created below the harness's own ("
            + home
            + ")"
        : "cgroup v1 `cpuacct.usage` of a group created below the harness's own (" + home + ")";
  }

  /** CPU time (user + system) of everything that has run in the group, in nanoseconds. */
  long totalNanos() throws IOException {
    if (!v2) {
      return Long.parseLong(Files.readString(group.resolve("cpuacct.usage")).trim());
    }
    for (String line : Files.readAllLines(group.resolve("cpu.stat"))) {
      if (line.startsWith("usage_usec ")) {
        return Long.parseLong(line.substring("usage_usec ".length()).trim()) * 1000;
      }
    }
    throw new IOException("no usage_usec in " + group.resolve("cpu.stat"));
  }

  /**
   * CPU time the whole machine spent busy (user, nice, system, irq, softirq, steal of every core,
   * from /proc/stat), in nanoseconds, assuming USER_HZ = 100 (every Linux on x86 and arm64).
   */
  static long machineBusyNanos() throws IOException {
    String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    if (!f[0].equals("cpu") || f.length < 9) {
      throw new IOException("unexpected first line of /proc/stat: " + String.join(" ", f));
    }
    long ticks = 0;
    for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
      ticks += Long.parseLong(f[i]);
    }
    return ticks * 10_000_000L;
  }

  /** CPU time of this JVM (all its threads), in nanoseconds; -1 when not available. */
  static long processNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /**
   * Moves this JVM back and removes the group: null, or what went wrong (or was done to manage it).
   *
   * <p>Processes the runs started may still be ending: a sandbox's exit is asynchronous, and a JDK
   * 25 child may have started the AOT cache's dump, which outlives its test by seconds. After a
   * wait the ones still there are moved to the harness's own group, so the group is removed all the
   * same: every process in it was started by this JVM or its descendants (it was the only process
   * moved in), and their CPU from then on is not part of any measure.
   */
  String close() {
    try {
      Files.writeString(home.resolve("cgroup.procs"), Long.toString(ProcessHandle.current().pid()));
    } catch (IOException e) {
      return "could not move the harness back to its cgroup " + home + ": " + e.getMessage();
    }
    if (removed(150)) {
      return null;
    }
    List<String> moved = new java.util.ArrayList<>();
    try {
      for (String pid : Files.readAllLines(group.resolve("cgroup.procs"))) {
        if (pid.isBlank()) {
          continue;
        }
        try {
          Files.writeString(home.resolve("cgroup.procs"), pid.trim());
          moved.add(pid.trim() + " (" + commandOf(pid.trim()) + ")");
        } catch (IOException gone) {
          // It ended meanwhile.
        }
      }
    } catch (IOException e) {
      return "could not list what is left in the CPU accounting cgroup "
          + group
          + ": "
          + e.getMessage();
    }
    String what =
        "still in the CPU accounting cgroup 15 s after the runs and moved to the harness's own: "
            + String.join(", ", moved);
    return removed(50) ? what : what + "; could not remove " + group + " even then";
  }

  private boolean removed(int tries) {
    for (int i = 0; i < tries; i++) {
      try {
        Files.deleteIfExists(group);
        return true;
      } catch (IOException e) {
        Main.sleep(100);
      }
    }
    return false;
  }

  private static String commandOf(String pid) {
    try {
      String cmd = Files.readString(Path.of("/proc", pid, "cmdline")).replace('\0', ' ').trim();
      return cmd.length() > 120 ? cmd.substring(0, 120) + "..." : cmd;
    } catch (IOException e) {
      return "ended";
    }
  }
}
