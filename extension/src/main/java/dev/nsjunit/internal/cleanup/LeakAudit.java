package dev.nsjunit.internal.cleanup;

import dev.nsjunit.internal.run.RunDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Lists what nsjunit left on this machine: processes of its launcher and child JVMs (namespace
 * holders included), cgroups named {@code nsjunit-*} in every hierarchy, network devices and named
 * network namespaces of its own, mounts, and private run directories with their sockets. Zero is
 * the only passing number.
 *
 * <p>Run it as a diagnostic after a crashed build: {@code java -cp nsjunit.jar
 * dev.nsjunit.internal.cleanup.LeakAudit} (exit code 1 when something is left). Tests use {@link
 * #scan()} at quiet points.
 */
public final class LeakAudit {
  /** One thing left behind. */
  public record Leftover(String kind, String what, long ownerPid) {
    @Override
    public String toString() {
      return kind
          + ": "
          + what
          + (ownerPid > 0
              ? " (owner JVM pid " + ownerPid + (alive(ownerPid) ? ", alive" : ", gone") + ")"
              : "");
    }
  }

  private LeakAudit() {}

  /** Everything of nsjunit's on this machine right now; items whose owner JVM is alive say so. */
  public static List<Leftover> scan() {
    List<Leftover> found = new ArrayList<>();
    processes(found);
    cgroups(found);
    runDirectories(found);
    netDevices(found);
    namedNetworkNamespaces(found);
    mounts(found);
    return found;
  }

  /** What {@link #scan()} finds whose owner JVM is gone: true leaks, not work in progress. */
  public static List<Leftover> orphans() {
    List<Leftover> result = new ArrayList<>();
    for (Leftover l : scan()) {
      if (l.ownerPid() <= 0 || !alive(l.ownerPid())) {
        result.add(l);
      }
    }
    return result;
  }

  public static void main(String[] args) {
    List<Leftover> all = scan();
    if (all.isEmpty()) {
      System.out.println("nsjunit leak audit: nothing left on this machine (0 items)");
      return;
    }
    System.out.println("nsjunit leak audit: " + all.size() + " item(s):");
    all.forEach(l -> System.out.println("  " + l));
    System.exit(1);
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private static void processes(List<Leftover> found) {
    long self = ProcessHandle.current().pid();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : procs) {
        try {
          long pid = Long.parseLong(p.getFileName().toString());
          if (pid == self) {
            continue;
          }
          String cmdline =
              new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                  .replace('\0', ' ')
                  .strip();
          if (cmdline.contains("nsjunit-launch")
              || cmdline.contains("dev.nsjunit.internal.child.ChildMain")) {
            long owner = ownerOf(pid);
            if ((cmdline.contains("nsjunit-launch --janitor")
                    || cmdline.contains("dev.nsjunit.internal.jvm.CdsWarmUp"))
                && owner > 0
                && alive(owner)) {
              // A live JVM's janitor or class-data archive dump is not left behind: it ends with
              // its JVM (the dump's launcher kills it if the JVM dies).
              continue;
            }
            found.add(new Leftover("process", pid + " " + abbreviate(cmdline), owner));
          }
        } catch (IOException | NumberFormatException gone) {
          // ended while we looked
        }
      }
    } catch (IOException e) {
      found.add(new Leftover("audit error", "cannot list /proc: " + e.getMessage(), -1));
    }
  }

  /** The JVM that started a launcher: its nearest ancestor that is not an nsjunit process. */
  private static long ownerOf(long pid) {
    Optional<ProcessHandle> p = ProcessHandle.of(pid);
    while (p.isPresent()) {
      Optional<ProcessHandle> parent = p.get().parent();
      if (parent.isEmpty()) {
        return -1;
      }
      String cmd = parent.get().info().commandLine().orElse("");
      if (!cmd.contains("nsjunit-launch")
          && !cmd.contains("dev.nsjunit.internal.child.ChildMain")) {
        return parent.get().pid() == 1 ? -1 : parent.get().pid();
      }
      p = parent;
    }
    return -1;
  }

  private static void cgroups(List<Leftover> found) {
    for (Path mount : cgroupMounts()) {
      try (Stream<Path> walk = Files.walk(mount, 8)) {
        walk.filter(Files::isDirectory)
            .filter(
                d -> d.getFileName() != null && d.getFileName().toString().startsWith("nsjunit-"))
            .forEach(
                d ->
                    found.add(
                        new Leftover(
                            "cgroup", d.toString(), ownerPidFromName(d.getFileName().toString()))));
      } catch (IOException | java.io.UncheckedIOException e) {
        // a group vanished while walking
      }
    }
  }

  private static List<Path> cgroupMounts() {
    List<Path> mounts = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        int dash = line.indexOf(" - ");
        if (dash < 0) {
          continue;
        }
        String fstype = line.substring(dash + 3).split(" ")[0];
        if (fstype.equals("cgroup") || fstype.equals("cgroup2")) {
          mounts.add(Path.of(line.split(" ")[4]));
        }
      }
    } catch (IOException e) {
      // no cgroups to look at
    }
    return mounts;
  }

  /** "nsjunit-<pid>-<start>-<n>" and "nsjunit-jvm-<pid>-<start>" carry their owner's pid. */
  private static long ownerPidFromName(String name) {
    String[] parts = name.split("-");
    for (int i = 1; i < parts.length; i++) {
      try {
        return Long.parseLong(parts[i]);
      } catch (NumberFormatException notYet) {
        // "jvm", "switch" ...
      }
    }
    return -1;
  }

  private static void runDirectories(List<Leftover> found) {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir", "/tmp"));
    for (Path base : List.of(tmp, Path.of("/tmp"))) {
      try (DirectoryStream<Path> users = Files.newDirectoryStream(base, "nsjunit-*")) {
        for (Path user : users) {
          try (DirectoryStream<Path> runs = Files.newDirectoryStream(user, "run-*")) {
            for (Path run : runs) {
              String name = run.getFileName().toString();
              long sockets;
              try (Stream<Path> files = Files.list(run)) {
                sockets = files.filter(f -> f.toString().endsWith(".sock")).count();
              }
              // A reused pid is not the owner: RunDirectory checks the start time too.
              long owner = RunDirectory.ownerAlive(name) ? ownerPidFromName(name) : -1;
              found.add(
                  new Leftover(
                      "run directory",
                      run + (sockets > 0 ? " with " + sockets + " socket(s)" : ""),
                      owner));
            }
          }
        }
      } catch (IOException e) {
        // no such directory
      }
      if (tmp.equals(Path.of("/tmp"))) {
        break;
      }
    }
  }

  private static void netDevices(List<Leftover> found) {
    try (DirectoryStream<Path> devices = Files.newDirectoryStream(Path.of("/sys/class/net"))) {
      for (Path d : devices) {
        String name = d.getFileName().toString();
        if (name.startsWith("nsj")
            || name.startsWith("veth-")
            || name.startsWith("tap-nsj")
            || name.startsWith("tun-nsj")) {
          found.add(new Leftover("network device in the host namespace", name, -1));
        }
      }
    } catch (IOException e) {
      // no sysfs
    }
  }

  private static void namedNetworkNamespaces(List<Leftover> found) {
    try (DirectoryStream<Path> names =
        Files.newDirectoryStream(Path.of("/run/netns"), "nsjunit*")) {
      for (Path n : names) {
        found.add(new Leftover("named network namespace", n.toString(), -1));
      }
    } catch (IOException e) {
      // none
    }
  }

  private static void mounts(List<Leftover> found) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        String[] f = line.split(" ");
        if (f.length > 4 && (f[4].contains("nsjunit") || f[3].contains("nsjunit"))) {
          found.add(new Leftover("mount", f[4], -1));
        }
      }
    } catch (IOException e) {
      // none
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 160 ? s.substring(0, 157) + "..." : s;
  }
}
