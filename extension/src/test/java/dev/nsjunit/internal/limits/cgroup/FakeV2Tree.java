package dev.nsjunit.internal.limits.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A cgroup v2 host laid out below a temporary directory: plain files stand in for the cgroup files
 * and /proc, so the v2 driver's decisions can be checked without a v2 kernel (not its writes).
 */
final class FakeV2Tree {
  private final Path root;

  FakeV2Tree(Path root) {
    this.root = root;
  }

  /**
   * A cgroup at {@code path} (relative to the root, e.g. "sys/fs/cgroup/job") with these
   * controllers available, these enabled for its children, and these processes in it.
   */
  Path group(String path, String controllers, String subtree, long... pids) throws IOException {
    Path dir = Files.createDirectories(root.resolve(path));
    Files.writeString(dir.resolve("cgroup.controllers"), controllers + "\n");
    subtree(dir, subtree);
    procs(dir, pids);
    Files.writeString(
        dir.resolve("cgroup.type"), "domain\n"); // every group but the hierarchy's root has it
    return dir;
  }

  /** Sets the processes of {@code group}, in this order. */
  void procs(Path group, long... pids) throws IOException {
    StringBuilder lines = new StringBuilder();
    for (long pid : pids) {
      lines.append(pid).append('\n');
    }
    Files.writeString(group.resolve("cgroup.procs"), lines);
  }

  /** Sets the controllers {@code group} enables for its children ("" for none). */
  void subtree(Path group, String controllers) throws IOException {
    Files.writeString(group.resolve("cgroup.subtree_control"), controllers + "\n");
  }

  /** A process of that name, as /proc/PID/comm shows it. */
  void process(long pid, String comm) throws IOException {
    Path dir = Files.createDirectories(root.resolve("proc/" + pid));
    Files.writeString(dir.resolve("comm"), comm + "\n");
  }
}
