package dev.nsjunit.internal.limits.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The cgroup of the current process, read from inside a sandbox: with a cgroup namespace and the
 * fresh cgroupfs the launcher mounts, the test's own group is the root of every hierarchy it sees,
 * so the same files the parent reads are readable (read-only) by the test itself.
 */
public final class OwnCgroup {
  private OwnCgroup() {}

  public static Usage usage() throws CgroupException {
    CgroupLayout layout;
    try {
      layout =
          CgroupLayout.parse(
              Files.readString(Path.of("/proc/self/mountinfo")),
              Files.readString(Path.of("/proc/self/cgroup")),
              Path.of("/"));
    } catch (IOException e) {
      throw ControlFiles.failure("reading", Path.of("/proc/self"), e);
    }
    Map<String, Path> byController = new HashMap<>();
    for (CgroupLayout.Hierarchy h : layout.v1()) {
      for (String controller : h.controllers()) {
        byController.put(controller, h.ownGroup());
      }
    }
    if (byController.containsKey("memory")
        || byController.containsKey("pids")
        || byController.containsKey("cpu")) {
      return new V1Cgroup("self", byController, Optional.empty()).usage();
    }
    if (layout.unified().isPresent()) {
      return new V2Cgroup("self", layout.unified().get().ownGroup()).usage();
    }
    throw new CgroupException(
        "no cgroup hierarchy is mounted in this process's view of /sys/fs/cgroup");
  }
}
