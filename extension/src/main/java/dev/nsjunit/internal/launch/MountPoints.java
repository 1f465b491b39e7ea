package dev.nsjunit.internal.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Mount points of {@code @TmpFs} that do not exist on the host. The mount itself is private to
 * the sandbox, but its directory has to exist on the real file system: this JVM creates the
 * missing directories and removes them when the last sandbox that uses them ends, so nothing
 * stays behind. Counted per directory because concurrent tests may share a path.
 */
final class MountPoints {
  private static final Map<Path, Integer> users = new HashMap<>();
  private static final Map<Path, Path> createdTop = new HashMap<>();

  private MountPoints() {}

  static synchronized void acquire(Path path) throws IOException {
    if (users.merge(path, 1, Integer::sum) > 1) {
      return;
    }
    Path top = null;
    for (Path p = path; p != null && !Files.exists(p); p = p.getParent()) {
      top = p;
    }
    if (top != null) {
      Files.createDirectories(path);
      createdTop.put(path, top);
    }
  }

  static synchronized void release(Path path) {
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
    if (top == null) {
      return;
    }
    for (Path p = path; p != null && p.startsWith(top); p = p.getParent()) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException notEmpty) {
        return; // someone put something there: leave it
      }
    }
  }
}
