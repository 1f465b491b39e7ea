package dev.nsjunit.internal.limits.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Test processes standing in for a sandbox, attached the way the launcher attaches them. */
final class Sandboxes {
  private final List<Process> started = new ArrayList<>();

  Process start(String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    started.add(p);
    return p;
  }

  static void attach(Process p, TestCgroup group) throws IOException {
    for (Path dir : group.attachDirectories()) {
      Files.writeString(dir.resolve("cgroup.procs"), Long.toString(p.pid()));
    }
  }

  static String procCgroup(Process p) throws IOException {
    return Files.readString(Path.of("/proc/" + p.pid() + "/cgroup"), StandardCharsets.UTF_8);
  }

  static boolean dies(Process p) throws InterruptedException {
    return p.waitFor(5, TimeUnit.SECONDS);
  }

  /**
   * Reads the group's usage until {@code condition} holds: waiting for the event itself (a process
   * counted, a quota enforced), not for a guessed time. Fails after 10 s with the last usage.
   */
  static Usage awaitUsage(TestCgroup group, Predicate<Usage> condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    Usage usage = group.usage();
    while (!condition.test(usage)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "within 10 s, " + group.name() + " never showed " + what + "; last usage: " + usage);
      }
      Thread.sleep(10);
      usage = group.usage();
    }
    return usage;
  }

  /** Kills whatever a failed test left running. */
  void destroyAll() throws InterruptedException {
    for (Process p : started) {
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
