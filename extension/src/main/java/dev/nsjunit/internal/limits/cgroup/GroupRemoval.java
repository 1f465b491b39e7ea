package dev.nsjunit.internal.limits.cgroup;

import dev.nsjunit.internal.cleanup.Janitor;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Ends the processes of a sandbox's groups and removes the groups, as runc's {@code
 * signalAllProcesses} and {@code RemovePath} do: the kernel refuses rmdir while a dying process is
 * still charged to the group, so removal retries for a while.
 */
final class GroupRemoval {
  static final long REMOVE_BUDGET_MILLIS = 2000;

  private GroupRemoval() {}

  /** Every pid in the group and the groups below it (the sandbox may have made its own). */
  static Set<Long> procsBelow(Path group) {
    Set<Long> pids = new LinkedHashSet<>();
    for (Path dir : groupsDeepestFirst(group)) {
      try {
        pids.addAll(ControlFiles.procs(dir));
      } catch (CgroupException | NumberFormatException e) {
        // gone meanwhile, or not a group: nothing to kill there
      }
    }
    return pids;
  }

  /**
   * SIGKILL for each pid. These are the sandbox's own processes: the launcher put them into a group
   * that only nsjunit creates. This JVM is never among the targets, even if misattached.
   */
  static void killAll(Set<Long> pids) {
    long self = ProcessHandle.current().pid();
    for (long pid : pids) {
      if (pid != self) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  /** Waits until no process is left in any of the groups; false when the time ran out. */
  static boolean awaitEmpty(List<Path> groups, long deadlineNanos) {
    long pause = 5;
    while (true) {
      boolean empty =
          groups.stream().allMatch(g -> !Files.isDirectory(g) || procsBelow(g).isEmpty());
      if (empty) {
        return true;
      }
      if (System.nanoTime() > deadlineNanos) {
        return false;
      }
      sleep(pause);
      pause = Math.min(pause * 2, 100);
    }
  }

  /**
   * Removes the group and its sub-groups, deepest first, retrying on EBUSY until about {@link
   * #REMOVE_BUDGET_MILLIS} have passed. A missing group counts as removed.
   */
  static void removeTree(Path group) throws CgroupException {
    long deadline = System.nanoTime() + REMOVE_BUDGET_MILLIS * 1_000_000;
    for (Path dir : groupsDeepestFirst(group)) {
      long pause = 5;
      while (true) {
        try {
          Files.delete(dir);
          break;
        } catch (NoSuchFileException e) {
          break;
        } catch (FileSystemException e) {
          if (!ControlFiles.reason(e).contains("busy") || System.nanoTime() > deadline) {
            String left = procsBelow(dir).toString();
            throw new CgroupException(
                "removing cgroup "
                    + dir
                    + " failed: "
                    + ControlFiles.reason(e)
                    + " (processes still inside: "
                    + left
                    + "). It will be retried by the next run's orphan sweep once this JVM has ended; to remove it now,"
                    + " kill those processes and rmdir the directory.",
                e);
          }
          sleep(pause);
          pause = Math.min(pause * 2, 200);
        } catch (IOException e) {
          throw ControlFiles.failure("removing cgroup", dir, e);
        }
      }
    }
    Janitor.forgetCgroup(group);
  }

  private static List<Path> groupsDeepestFirst(Path group) {
    if (!Files.isDirectory(group)) {
      return List.of();
    }
    List<Path> dirs = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(group)) {
      walk.filter(Files::isDirectory).forEach(dirs::add);
    } catch (IOException | java.io.UncheckedIOException e) {
      dirs.add(
          group); // a sub-group vanished while walking; the group itself is still ours to remove
    }
    dirs.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    return dirs;
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
