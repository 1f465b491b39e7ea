package dev.nsjunit.internal.jvm;

import dev.nsjunit.internal.run.RunDirectory;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The per-user directory of class-data archives ({@code <tmp>/nsjunit-<uid>/cds}), kept bounded.
 *
 * <p>Every new set of jars (a rebuilt SNAPSHOT module, a changed dependency) gets an archive of its
 * own, 5 MB for AppCDS and about 20 MB for a JDK 25 AOT cache, so a developer's machine collects
 * them build after build. Like ccache and Gradle's caches, the directory is cleaned when it grows:
 * each time an archive is added, archives unused for {@link #UNUSED_FOR} go, and beyond the {@link
 * #MOST_ARCHIVES} most recently used the older ones (never one used within {@link #IN_USE}, which a
 * running test JVM may still hand to its children). An archive's modification time is its last use:
 * a JVM that takes an archive from an earlier run touches it once.
 */
final class ArchiveCache {
  static final Duration UNUSED_FOR = Duration.ofDays(7);
  static final int MOST_ARCHIVES = 24;
  static final Duration IN_USE = Duration.ofHours(1);

  private ArchiveCache() {}

  static Path directory() throws IOException {
    Path dir = RunDirectory.get().path().getParent().resolve("cds");
    if (!Files.isDirectory(dir)) {
      try {
        Files.createDirectory(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (java.nio.file.FileAlreadyExistsException raced) {
        // another JVM made it
      }
    }
    return dir;
  }

  /** Records a use of an archive made by an earlier run. */
  static void markUsed(Path archive) {
    try {
      Files.setLastModifiedTime(archive, FileTime.from(Instant.now()));
    } catch (IOException e) {
      // only the cleanup's order depends on it
    }
  }

  /**
   * Removes, from {@code dir}: files half-written by a JVM that is gone ({@code name.<pid>.tmp},
   * and the logs of older versions' dumps); archives by the rules above; warm-up jars other than
   * {@code currentWarmUpJar} unchanged for {@link #UNUSED_FOR} (a warm-up jar is never touched: the
   * archives made with it check its time); rewritten jars unused for as long ({@link
   * RewrittenJars}); notes of archives that are gone ({@link ArchiveFit}). Returns what it removed.
   */
  static List<Path> prune(Path dir, Path currentWarmUpJar, Instant now) {
    List<Path> removed = new ArrayList<>();
    List<Path> archives = new ArrayList<>();
    List<Path> notes = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (name.endsWith(".tmp") || name.endsWith(".tmp.log")) {
          if (!writerAlive(name)) {
            delete(f, removed);
          }
        } else if (name.endsWith(".jsa") || name.endsWith(".aot")) {
          archives.add(f);
        } else if (name.endsWith(".fits")) {
          notes.add(f);
        } else if (name.startsWith("nsjunit-cds-warmup-")
            && name.endsWith(".jar")
            && !f.equals(currentWarmUpJar)
            && olderThan(f, now, UNUSED_FOR)) {
          delete(f, removed);
        }
      }
    } catch (IOException | java.nio.file.DirectoryIteratorException e) {
      return removed; // housekeeping must never fail a test
    }
    archives.sort(Comparator.comparing(ArchiveCache::modified).reversed());
    for (int i = 0; i < archives.size(); i++) {
      Path a = archives.get(i);
      if (olderThan(a, now, UNUSED_FOR) || (i >= MOST_ARCHIVES && olderThan(a, now, IN_USE))) {
        delete(a, removed);
      }
    }
    removed.addAll(RewrittenJars.prune(dir, now.minus(UNUSED_FOR)));
    for (Path note : notes) {
      String name = note.getFileName().toString();
      if (!Files.exists(note.resolveSibling(name.substring(0, name.length() - ".fits".length())))) {
        delete(note, removed); // its archive is gone (ArchiveFit)
      }
    }
    return removed;
  }

  /** {@code <name>.<pid>.tmp[.log]}: whether that process still exists. */
  private static boolean writerAlive(String name) {
    String stem = name.substring(0, name.lastIndexOf(".tmp"));
    try {
      long pid = Long.parseLong(stem.substring(stem.lastIndexOf('.') + 1));
      return ProcessHandle.of(pid).isPresent();
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      return true; // not a name of ours: leave it
    }
  }

  private static boolean olderThan(Path f, Instant now, Duration age) {
    return modified(f).isBefore(now.minus(age));
  }

  private static Instant modified(Path f) {
    try {
      return Files.getLastModifiedTime(f).toInstant();
    } catch (IOException e) {
      return Instant.MAX; // gone or unreadable: not ours to remove
    }
  }

  private static void delete(Path f, List<Path> removed) {
    try {
      if (Files.deleteIfExists(f)) {
        removed.add(f);
      }
    } catch (IOException e) {
      // the next cleanup tries again
    }
  }
}
