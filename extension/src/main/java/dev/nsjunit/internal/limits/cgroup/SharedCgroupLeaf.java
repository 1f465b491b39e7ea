package dev.nsjunit.internal.limits.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@link CgroupPlacement#LEAF}: the cgroup this JVM shares with other processes (a container's root
 * cgroup with its shell and Maven; a CI job's cgroup) holds test groups once every process in it
 * has moved into the leaf {@value CgroupPlacement#LEAF_NAME} below it, which is what
 * Docker-in-Docker and kind do before enabling controllers: the kernel lets a cgroup hand
 * controllers to children only while it holds no process itself.
 *
 * <p>Every step runs under an flock on the shared cgroup, because several test JVMs (Surefire's
 * forks) may share it: {@link #prepare} before each test group is made, {@link #restore} when a JVM
 * ends. The last one to end moves the processes back and turns the controllers off again, leaving
 * the cgroup as it found it.
 */
final class SharedCgroupLeaf {
  /** How often processes that keep appearing (forks during a move) are chased before giving up. */
  private static final int MOVE_ROUNDS = 50;

  private final Path cgroup;
  private final Path leaf;
  private final Path fsRoot;

  SharedCgroupLeaf(Path cgroup, Path fsRoot) {
    this(cgroup, CgroupPlacement.LEAF_NAME, fsRoot);
  }

  /**
   * A leaf of another name: the one a JVM that was alone in its cgroup moves itself into ({@code
   * nsjunit-jvm-<pid>-<start>}) is restored the same way when that JVM ends.
   */
  SharedCgroupLeaf(Path cgroup, String leafName, Path fsRoot) {
    this.cgroup = cgroup;
    this.leaf = cgroup.resolve(leafName);
    this.fsRoot = fsRoot;
  }

  Path cgroup() {
    return cgroup;
  }

  Path leaf() {
    return leaf;
  }

  DirectoryLock lock() throws CgroupException {
    return DirectoryLock.acquire(cgroup);
  }

  /** What {@link #prepare} did, for the one log line. */
  record Moved(List<String> processes, Set<String> enabled) {
    boolean changedAnything() {
      return !processes.isEmpty() || !enabled.isEmpty();
    }
  }

  /**
   * Makes the shared cgroup able to hold test groups with {@code controllers}: every process in it
   * moves into the leaf, then the controllers are enabled. A no-op when that is already so. The
   * caller holds {@link #lock()}.
   */
  Moved prepare(Set<String> controllers) throws CgroupException {
    Set<String> available = ControlFiles.words(cgroup.resolve("cgroup.controllers"));
    Set<String> missing = new TreeSet<>(controllers);
    missing.removeAll(available);
    if (!missing.isEmpty()) {
      throw new CgroupException(
          "the "
              + String.join(", ", missing)
              + " controller(s) are not available in "
              + cgroup
              + " (its cgroup.controllers"
              + " lists \""
              + String.join(" ", available)
              + "\"): the cgroup above it does not delegate them, so moving"
              + " processes would not help.");
    }
    Set<String> enable = new TreeSet<>(controllers);
    enable.removeAll(ControlFiles.words(cgroup.resolve("cgroup.subtree_control")));
    List<String> moved = new ArrayList<>();
    if (!ControlFiles.procs(cgroup).isEmpty() || !enable.isEmpty()) {
      if (!Files.isDirectory(leaf)) {
        ControlFiles.makeGroup(leaf);
      }
      moved.addAll(moveAll(cgroup, leaf, fsRoot));
    }
    if (!enable.isEmpty()) {
      ControlFiles.write(
          cgroup.resolve("cgroup.subtree_control"),
          enable.stream().map(c -> "+" + c).collect(Collectors.joining(" ")));
    }
    return new Moved(moved, enable);
  }

  /**
   * Puts the cgroup back as it was when no test group is left in it (other JVMs may still run tests
   * there; the last one restores): controllers off, processes back, leaf removed. The caller holds
   * {@link #lock()}. Returns whether it restored.
   */
  boolean restore() throws CgroupException {
    if (!Files.isDirectory(leaf)) {
      return false;
    }
    List<Path> others;
    try (Stream<Path> children = Files.list(cgroup)) {
      others = children.filter(Files::isDirectory).filter(p -> !p.equals(leaf)).toList();
    } catch (IOException e) {
      throw ControlFiles.failure("listing", cgroup, e);
    }
    if (!others.isEmpty()) {
      return false; // test groups of another JVM (or someone else's groups): not ours to undo
    }
    Set<String> enabled = ControlFiles.words(cgroup.resolve("cgroup.subtree_control"));
    if (!enabled.isEmpty()) {
      // the cgroup held processes before, so nothing but nsjunit can have enabled these
      ControlFiles.write(
          cgroup.resolve("cgroup.subtree_control"),
          enabled.stream().map(c -> "-" + c).collect(Collectors.joining(" ")));
    }
    moveAll(leaf, cgroup, fsRoot);
    GroupRemoval.removeTree(leaf);
    return true;
  }

  /** Moves every process of {@code from} into {@code to}, again while new ones appear (forks). */
  static List<String> moveAll(Path from, Path to, Path fsRoot) throws CgroupException {
    Set<String> moved = new LinkedHashSet<>();
    for (int round = 0; round < MOVE_ROUNDS; round++) {
      List<Long> pids = ControlFiles.procs(from);
      if (pids.isEmpty()) {
        return List.copyOf(moved);
      }
      for (long pid : pids) {
        String who = ControlFiles.describePid(fsRoot, pid);
        try {
          ControlFiles.write(to.resolve("cgroup.procs"), Long.toString(pid));
          moved.add(who);
        } catch (CgroupException e) {
          if (ProcessHandle.of(pid).isPresent()) {
            throw new CgroupException(
                "moving process "
                    + who
                    + " from "
                    + from
                    + " to "
                    + to
                    + " failed: "
                    + e.getMessage(),
                e);
          }
          // it ended meanwhile
        }
      }
    }
    throw new CgroupException(
        "processes keep appearing in "
            + from
            + " while nsjunit moves them into "
            + to
            + " ("
            + MOVE_ROUNDS
            + " rounds): something there forks without pause");
  }
}
