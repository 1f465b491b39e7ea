package dev.nsjunit.internal.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** The machine's memory as the kernel reports it in {@code /proc/meminfo}. */
final class MemoryInfo {
  private MemoryInfo() {}

  /**
   * Every isolated test reads its configuration, and the automatic prestart count asks for this:
   * read once a second at most (reading and parsing /proc/meminfo is a few hundred microseconds of
   * a test's own time, for a figure that is "now" only roughly anyway).
   */
  private static final long FRESH_NANOS = 1_000_000_000L;

  private static volatile long readAt;
  private static volatile OptionalLong lastRead;

  /** {@code MemAvailable}: what can be used without swapping; empty when unreadable. */
  static OptionalLong availableBytes() {
    OptionalLong last = lastRead;
    long now = System.nanoTime();
    if (last != null && now - readAt < FRESH_NANOS) {
      return last;
    }
    OptionalLong read = read();
    readAt = now;
    lastRead = read;
    return read;
  }

  private static OptionalLong read() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemAvailable:")) {
          String[] words = line.trim().split("\\s+");
          return OptionalLong.of(Long.parseLong(words[1]) * 1024);
        }
      }
    } catch (IOException | RuntimeException e) {
      // no figure: the caller has a fallback
    }
    return OptionalLong.empty();
  }
}
