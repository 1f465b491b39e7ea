package dev.nsjunit.internal.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

  /** Kills whatever a failed test left running. */
  void destroyAll() throws InterruptedException {
    for (Process p : started) {
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
