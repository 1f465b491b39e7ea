package dev.nsjunit.internal.limits.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Creates and removes the cgroups of sandboxes, one implementation per cgroup version (as runc and
 * crun do): {@link V1Driver} for v1 and hybrid hosts, {@link V2Driver} for unified hosts.
 */
public interface CgroupDriver {

  /** System property naming a delegated, empty v2 cgroup to create test groups in. */
  String PARENT_PROPERTY = "nsjunit.cgroup.parent";

  /**
   * Detects the layout of this process from {@code /proc/self/mountinfo} and {@code
   * /proc/self/cgroup}; a delegated v2 parent is taken from the system property {@value
   * #PARENT_PROPERTY}.
   */
  static CgroupDriver detect() throws CgroupException {
    String parent = System.getProperty(PARENT_PROPERTY, "").strip();
    return detect(
        CgroupSettings.ownOnly(parent.isEmpty() ? Optional.empty() : Optional.of(Path.of(parent))));
  }

  /** As {@link #detect()}, with the caller's configuration. */
  static CgroupDriver detect(CgroupSettings settings) throws CgroupException {
    try {
      return detect(
          Files.readString(Path.of("/proc/self/mountinfo")),
          Files.readString(Path.of("/proc/self/cgroup")),
          Path.of("/"),
          ProcessHandle.current().pid(),
          settings);
    } catch (IOException e) {
      throw ControlFiles.failure("reading", Path.of("/proc/self"), e);
    }
  }

  /**
   * Detects from given file contents. Mount points are taken relative to {@code fsRoot}, and so is
   * {@code /proc/<pid>/comm}, which lets tests feed a v2 layout built in a temporary directory.
   *
   * @param selfPid the pid the v2 delegation logic treats as this JVM
   */
  static CgroupDriver detect(
      String mountinfo,
      String procSelfCgroup,
      Path fsRoot,
      long selfPid,
      Optional<Path> delegatedParent)
      throws CgroupException {
    return detect(
        mountinfo, procSelfCgroup, fsRoot, selfPid, CgroupSettings.ownOnly(delegatedParent));
  }

  /** As above, with every setting. */
  static CgroupDriver detect(
      String mountinfo, String procSelfCgroup, Path fsRoot, long selfPid, CgroupSettings settings)
      throws CgroupException {
    CgroupLayout layout = CgroupLayout.parse(mountinfo, procSelfCgroup, fsRoot);
    boolean anyV1Limit =
        layout.v1().stream()
            .anyMatch(h -> h.controllers().stream().anyMatch(V1Driver.USED::contains));
    if (anyV1Limit) {
      return new V1Driver(layout);
    }
    if (layout.unified().isEmpty()) {
      throw new CgroupException(
          "no usable cgroup hierarchy: v1 is mounted without the memory, cpu, cpuset, pids or freezer controllers and"
              + " there is no cgroup2 mount. Mount the cgroup controllers or run without cgroup limits.");
    }
    return new V2Driver(layout.unified().get(), fsRoot, selfPid, settings);
  }

  /** The cgroup layout found, for logs and error messages. */
  String describe();

  /**
   * Creates the test's group {@code name} below this JVM's cgroup in every hierarchy a limit needs,
   * plus the ones used for killing and usage, and writes all limits before returning. Nothing is
   * left behind when this throws.
   */
  TestCgroup create(String name, CgroupLimits limits) throws CgroupException;

  /** Kills and removes groups named {@code nsjunit-*} whose owner JVM is gone; returns how many. */
  int sweepOrphans();
}
