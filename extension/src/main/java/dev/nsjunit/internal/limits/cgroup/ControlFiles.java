package dev.nsjunit.internal.limits.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads and writes cgroup interface files, turning the kernel's errno into a message that says what
 * was being done and what a user can change.
 */
final class ControlFiles {
  private ControlFiles() {}

  static String read(Path file) throws CgroupException {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw failure("reading", file, e);
    }
  }

  /** A number file; "max" (v2 for "no limit") reads as {@link Long#MAX_VALUE}. */
  static long readLong(Path file) throws CgroupException {
    String text = read(file).strip();
    if (text.equals("max")) {
      return Long.MAX_VALUE;
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new CgroupException(
          "unexpected content \"" + text + "\" in " + file + ": expected a number");
    }
  }

  /** The value of a "key value" line, as in memory.events, cpu.stat or memory.oom_control. */
  static OptionalLong readKey(Path file, String key) throws CgroupException {
    for (String line : read(file).split("\n")) {
      String[] parts = line.strip().split("\\s+");
      if (parts.length == 2 && parts[0].equals(key)) {
        try {
          return OptionalLong.of(Long.parseLong(parts[1]));
        } catch (NumberFormatException e) {
          return OptionalLong.empty();
        }
      }
    }
    return OptionalLong.empty();
  }

  /** The pids in a group's cgroup.procs. */
  static List<Long> procs(Path group) throws CgroupException {
    List<Long> pids = new ArrayList<>();
    for (String line : read(group.resolve("cgroup.procs")).split("\n")) {
      if (!line.isBlank()) {
        pids.add(Long.parseLong(line.strip()));
      }
    }
    return pids;
  }

  /**
   * Writes {@code value} into an existing interface file. Without CREATE: on a cgroup file system a
   * missing file means the controller is not enabled, which must not look like success.
   */
  static void write(Path file, String value) throws CgroupException {
    try {
      Files.write(
          file,
          value.getBytes(StandardCharsets.UTF_8),
          StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING);
    } catch (NoSuchFileException e) {
      throw new CgroupException(
          "cannot write \""
              + value
              + "\" to "
              + file
              + ": the file does not exist, so the controller it belongs to is not"
              + " enabled for this group (v2: missing in the parent's cgroup.subtree_control; v1: not mounted)",
          e);
    } catch (IOException e) {
      throw failure("writing \"" + value + "\" to", file, e);
    }
  }

  static void makeGroup(Path dir) throws CgroupException {
    try {
      Files.createDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      throw new CgroupException(
          "cannot create cgroup "
              + dir
              + ": it already exists. Group names carry the JVM's pid and start time, so this"
              + " is a leftover of the same JVM or a name given twice; remove it with rmdir",
          e);
    } catch (IOException e) {
      throw failure("creating cgroup", dir, e);
    }
  }

  static CgroupException failure(String action, Path path, IOException e) {
    String reason = reason(e);
    return new CgroupException(action + " " + path + " failed: " + reason + advice(reason), e);
  }

  static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "Permission denied";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return String.valueOf(e.getMessage());
  }

  private static String advice(String reason) {
    String r = reason.toLowerCase(Locale.ROOT);
    if (r.contains("read-only")) {
      return ". The cgroup file system is mounted read-only, as in a default container. Docker: run with --privileged,"
          + " or with -v /sys/fs/cgroup:/sys/fs/cgroup:rw --cgroupns=host; Kubernetes: a privileged pod"
          + " (securityContext.privileged: true); or run without cgroup limits.";
    }
    if (r.contains("permission denied") || r.contains("not permitted")) {
      return ". This user may not change that cgroup: run the tests as root, or in a cgroup delegated to this user"
          + " (systemd-run --user --scope -p Delegate=yes, or set nsjunit.cgroup.parent to a delegated v2 cgroup);"
          + " in a container see --privileged / --cgroupns.";
    }
    if (r.contains("invalid argument")) {
      return ". The kernel rejected the value.";
    }
    if (r.contains("no space left")) {
      return ". On cgroup v2 this means the cgroup has no usable CPUs/memory nodes or a controller cannot be enabled"
          + " here (e.g. cpuset).";
    }
    if (r.contains("resource busy")) {
      return ". The group still has processes or child groups.";
    }
    return ".";
  }

  /**
   * A control file's space-separated words ({@code cgroup.controllers}, {@code
   * cgroup.subtree_control}).
   */
  static Set<String> words(Path file) throws CgroupException {
    String text = read(file).strip();
    return text.isEmpty() ? Set.of() : new LinkedHashSet<>(List.of(text.split("\\s+")));
  }

  /** "pid (comm)" for a message naming a process; {@code fsRoot} is "/" except in tests. */
  static String describePid(Path fsRoot, long pid) {
    try {
      return pid + " (" + Files.readString(fsRoot.resolve("proc/" + pid + "/comm")).strip() + ")";
    } catch (IOException e) {
      return pid + " (?)";
    }
  }
}
