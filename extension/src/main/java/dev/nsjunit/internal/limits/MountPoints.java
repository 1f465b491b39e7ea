package dev.nsjunit.internal.limits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Mount points of {@code @TmpFs} that do not exist on the host. The mount itself is private to the
 * sandbox, but its directory has to exist: where this JVM may, it creates the missing directories
 * and removes them when the last sandbox that uses them ends, so nothing stays behind; elsewhere
 * the launcher makes them in the sandbox's mount namespace only. Counted per directory because
 * concurrent tests may share a path.
 */
public final class MountPoints {
  private static final Map<Path, Integer> users = new HashMap<>();
  private static final Map<Path, Path> createdTop = new HashMap<>();

  private MountPoints() {}

  /**
   * Makes sure {@code path} exists, or leaves it to the launcher: true when the caller must {@link
   * #release} it. Where this user may not create it (an ordinary user, below a directory of
   * root's), the launcher makes the mount point inside the sandbox's own mount namespace instead.
   */
  public static synchronized boolean acquire(Path path) throws IOException {
    if (users.merge(path, 1, Integer::sum) > 1) {
      return true;
    }
    Path top = null;
    for (Path p = path; p != null && !Files.exists(p); p = p.getParent()) {
      top = p;
    }
    if (top != null) {
      try {
        Files.createDirectories(path);
      } catch (
          java.nio.file.FileSystemException e) { // permission denied, read-only: not ours to make
        users.remove(path);
        deleteCreated(path, top);
        return false;
      }
      createdTop.put(path, top);
    }
    return true;
  }

  /**
   * Removes what createDirectories made of {@code path} up to {@code top}, stopping at a non-empty
   * one.
   */
  private static void deleteCreated(Path path, Path top) {
    for (Path p = path; p != null && p.startsWith(top); p = p.getParent()) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException notEmpty) {
        return;
      }
    }
  }

  public static synchronized void release(Path path) {
    Integer n = users.get(path);
    if (n == null) {
      return;
    }
    if (n > 1) {
      users.put(path, n - 1);
      return;
    }
    users.remove(path);
    Path top = createdTop.remove(path);
    if (top != null) {
      deleteCreated(path, top); // stops where someone put something: that stays
    }
  }
}
