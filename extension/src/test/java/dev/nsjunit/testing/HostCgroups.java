package dev.nsjunit.testing;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/** Cgroup directories on the host whose name starts with a prefix, in every hierarchy. */
public final class HostCgroups {
  private HostCgroups() {}

  /**
   * Cgroups come and go while the tree is walked (sandboxes of other tests end, a janitor removes a
   * killed JVM's): one that disappears meanwhile is simply not listed, instead of ending the walk
   * with an exception as {@code Files.walk} does.
   */
  public static List<Path> named(String prefix) {
    List<Path> found = new ArrayList<>();
    try {
      Files.walkFileTree(
          Path.of("/sys/fs/cgroup"),
          EnumSet.noneOf(FileVisitOption.class),
          6,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              if (dir.getFileName() != null && dir.getFileName().toString().startsWith(prefix)) {
                found.add(dir);
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              return FileVisitResult.CONTINUE; // gone meanwhile, or not readable
            }
          });
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return found;
  }
}
