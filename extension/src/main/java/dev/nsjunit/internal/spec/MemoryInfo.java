package dev.nsjunit.internal.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** The machine's memory as the kernel reports it in {@code /proc/meminfo}. */
final class MemoryInfo {
  private MemoryInfo() {}

  /** {@code MemAvailable}: what can be used without swapping; empty when unreadable. */
  static OptionalLong availableBytes() {
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
