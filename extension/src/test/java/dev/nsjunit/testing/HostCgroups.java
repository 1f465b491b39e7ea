package dev.nsjunit.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Cgroup directories on the host whose name starts with a prefix, in every hierarchy. */
public final class HostCgroups {
  private HostCgroups() {}

  public static List<Path> named(String prefix) {
    try (Stream<Path> walk = Files.walk(Path.of("/sys/fs/cgroup"), 6)) {
      return walk.filter(Files::isDirectory)
          .filter(p -> p.getFileName() != null && p.getFileName().toString().startsWith(prefix))
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
