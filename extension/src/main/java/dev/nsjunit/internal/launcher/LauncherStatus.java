package dev.nsjunit.internal.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The launcher's own account of how the sandbox ended, read from its status file (one line: {@code
 * exit N}, {@code signal N NAME [core]}, {@code error CODE MESSAGE}, {@code parent-gone}, {@code
 * stopped}: ended on this JVM's request, which then removes the cgroups itself). Unlike an exit
 * code, it tells a {@code System.exit(137)} from a SIGKILL.
 */
public record LauncherStatus(Kind kind, int number, String detail) {

  public enum Kind {
    EXIT,
    SIGNAL,
    ERROR,
    PARENT_GONE,
    STOPPED
  }

  public static Optional<LauncherStatus> read(Path file) {
    try {
      if (!Files.exists(file)) {
        return Optional.empty();
      }
      return parse(Files.readString(file, StandardCharsets.UTF_8).trim());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  static Optional<LauncherStatus> parse(String line) {
    String[] parts = line.split(" ", 3);
    try {
      switch (parts[0]) {
        case "exit":
          return Optional.of(new LauncherStatus(Kind.EXIT, Integer.parseInt(parts[1]), ""));
        case "signal":
          return Optional.of(
              new LauncherStatus(
                  Kind.SIGNAL, Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : ""));
        case "error":
          return Optional.of(
              new LauncherStatus(
                  Kind.ERROR, Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : ""));
        case "parent-gone":
          return Optional.of(new LauncherStatus(Kind.PARENT_GONE, 0, ""));
        case "stopped":
          return Optional.of(new LauncherStatus(Kind.STOPPED, 0, ""));
        default:
          return Optional.empty();
      }
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
