package dev.nsjunit.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/** Looks at the host's processes through /proc, to prove what a sandbox left (or did not). */
public final class HostProcesses {
  private HostProcesses() {}

  /** Host pids whose command line contains {@code marker}. */
  public static List<Long> withArgument(String marker) {
    List<Long> found = new ArrayList<>();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : procs) {
        try {
          String cmdline =
              new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
          if (cmdline.contains(marker)
              && Long.parseLong(p.getFileName().toString()) != ProcessHandle.current().pid()) {
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

  /**
   * An argument for {@code sleep} that no other process has: 1000 seconds and six random decimals
   * ("1000.042137"), all of one length so that no marker is part of another. A test's fixture
   * starts {@code sleep MARKER}; {@link #awaitNoneWithArgument} then shows whether it outlived the
   * test.
   */
  public static String sleepMarker() {
    return String.format(Locale.ROOT, "1000.%06d", ThreadLocalRandom.current().nextInt(1_000_000));
  }

  /** Waits up to {@code millis} for no process to carry {@code marker}; returns what is left. */
  public static List<Long> awaitNoneWithArgument(String marker, long millis)
      throws InterruptedException {
    long end = System.currentTimeMillis() + millis;
    List<Long> left = withArgument(marker);
    while (!left.isEmpty() && System.currentTimeMillis() < end) {
      Thread.sleep(50);
      left = withArgument(marker);
    }
    return left;
  }
}
