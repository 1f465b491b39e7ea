package dev.nsjunit.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Looks at the host's processes through /proc, to prove what a sandbox left (or did not). */
public final class HostProcesses {
  private HostProcesses() {}

  /** Host pids whose command line contains {@code marker}. */
  public static List<Long> withArgument(String marker) {
    List<Long> found = new ArrayList<>();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : procs) {
        try {
          String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
          if (cmdline.contains(marker) && Long.parseLong(p.getFileName().toString()) != ProcessHandle.current().pid()) {
            found.add(Long.parseLong(p.getFileName().toString()));
          }
        } catch (IOException | NumberFormatException gone) {
          // process ended while we looked
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return found;
  }

  /** Waits up to {@code millis} for no process to carry {@code marker}; returns what is left. */
  public static List<Long> awaitNoneWithArgument(String marker, long millis) throws InterruptedException {
    long end = System.currentTimeMillis() + millis;
    List<Long> left = withArgument(marker);
    while (!left.isEmpty() && System.currentTimeMillis() < end) {
      Thread.sleep(50);
      left = withArgument(marker);
    }
    return left;
  }
}
