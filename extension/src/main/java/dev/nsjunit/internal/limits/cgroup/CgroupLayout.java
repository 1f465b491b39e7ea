package dev.nsjunit.internal.limits.cgroup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The cgroup hierarchies this process sees and its own group in each, read from {@code
 * /proc/self/mountinfo} and {@code /proc/self/cgroup}. Never from probing directories: {@code
 * /sys/fs/cgroup} may be a plain tmpfs where mkdir and writes "succeed" without effect.
 */
record CgroupLayout(List<Hierarchy> v1, Optional<Hierarchy> unified) {

  /**
   * One mounted hierarchy.
   *
   * @param controllers v1 controllers bound to it (empty for cgroup2, see cgroup.controllers)
   * @param mountPoint where it is mounted (already under the file system root given to parse)
   * @param ownGroup this process's group in it, as a directory
   * @param readOnly mounted read-only (typical in unprivileged containers)
   * @param mountRoot the cgroup path the mount shows at its mount point (mountinfo's field 4)
   */
  record Hierarchy(
      Set<String> controllers, Path mountPoint, Path ownGroup, boolean readOnly, String mountRoot) {
    /**
     * The directory of a group given by its path as /proc/PID/cgroup shows it, if this mount shows
     * it.
     */
    Optional<Path> directoryOf(String cgroupPath) {
      return CgroupLayout.ownGroup(
          new Mount(mountRoot, mountPoint, "", Set.of(), readOnly), cgroupPath);
    }
  }

  private static final Set<String> V1_CONTROLLERS =
      Set.of(
          "cpu",
          "cpuacct",
          "cpuset",
          "memory",
          "devices",
          "freezer",
          "net_cls",
          "blkio",
          "perf_event",
          "net_prio",
          "hugetlb",
          "pids",
          "rdma",
          "misc");

  private record Mount(
      String root, Path mountPoint, String fsType, Set<String> controllers, boolean readOnly) {}

  static CgroupLayout parse(String mountinfo, String procSelfCgroup, Path fsRoot)
      throws CgroupException {
    List<Mount> mounts = cgroupMounts(mountinfo, fsRoot);
    Map<Set<String>, String> v1Paths = new LinkedHashMap<>();
    Optional<String> v2Path = Optional.empty();
    for (String line : procSelfCgroup.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(":", 3);
      if (f.length != 3) {
        throw new CgroupException("unexpected line in /proc/self/cgroup: \"" + line + "\"");
      }
      if (f[0].equals("0") && f[1].isEmpty()) {
        v2Path = Optional.of(f[2]);
      } else {
        v1Paths.put(Set.of(f[1].split(",")), f[2]);
      }
    }

    List<Hierarchy> v1 = new ArrayList<>();
    Set<Set<String>> seen = new LinkedHashSet<>();
    for (Mount m : mounts) {
      if (!m.fsType.equals("cgroup") || m.controllers.isEmpty() || seen.contains(m.controllers)) {
        continue;
      }
      String path = findByControllers(v1Paths, m.controllers);
      if (path == null) {
        continue;
      }
      Optional<Path> own = ownGroup(m, path);
      if (own.isPresent()) {
        seen.add(m.controllers);
        v1.add(new Hierarchy(m.controllers, m.mountPoint, own.get(), m.readOnly, m.root));
      }
    }

    Optional<Hierarchy> unified = Optional.empty();
    if (v2Path.isPresent()) {
      for (Mount m : mounts) {
        if (m.fsType.equals("cgroup2")) {
          Optional<Path> own = ownGroup(m, v2Path.get());
          if (own.isPresent()) {
            unified =
                Optional.of(new Hierarchy(Set.of(), m.mountPoint, own.get(), m.readOnly, m.root));
            break;
          }
        }
      }
    }
    if (v1.isEmpty() && unified.isEmpty()) {
      throw new CgroupException(
          "no usable cgroup hierarchy: /proc/self/mountinfo lists no cgroup or cgroup2 mount that contains this"
              + " process's cgroup ("
              + procSelfCgroup.strip().replace('\n', ' ')
              + "). Mount cgroups (a container needs"
              + " /sys/fs/cgroup from the host, e.g. Docker's default or --cgroupns=private) or run without cgroup limits.");
    }
    return new CgroupLayout(List.copyOf(v1), unified);
  }

  private static String findByControllers(
      Map<Set<String>, String> v1Paths, Set<String> controllers) {
    for (Map.Entry<Set<String>, String> e : v1Paths.entrySet()) {
      Set<String> listed = new LinkedHashSet<>(e.getKey());
      listed.retainAll(V1_CONTROLLERS);
      if (listed.equals(controllers)) {
        return e.getValue();
      }
    }
    return null;
  }

  /**
   * The process's group under a mount. The mount may show only a subtree (field 4, e.g. a
   * container's bind of its own group), so the path must start with that root; otherwise this mount
   * does not contain our group and another mount of the same hierarchy might.
   */
  private static Optional<Path> ownGroup(Mount m, String cgroupPath) {
    if (cgroupPath.contains("/../") || cgroupPath.endsWith("/..")) {
      return Optional.empty(); // group outside our cgroup namespace: not reachable by this mount
    }
    String root = m.root.equals("/") ? "" : m.root;
    if (!cgroupPath.equals(root) && !cgroupPath.startsWith(root + "/")) {
      return Optional.empty();
    }
    String relative = cgroupPath.substring(root.length());
    while (relative.startsWith("/")) {
      relative = relative.substring(1);
    }
    return Optional.of(relative.isEmpty() ? m.mountPoint : m.mountPoint.resolve(relative));
  }

  private static List<Mount> cgroupMounts(String mountinfo, Path fsRoot) {
    List<Mount> mounts = new ArrayList<>();
    for (String line : mountinfo.split("\n")) {
      String[] f = line.strip().split(" ");
      int dash = List.of(f).indexOf("-");
      if (dash < 6 || f.length < dash + 4) {
        continue;
      }
      String fsType = f[dash + 1];
      if (!fsType.equals("cgroup") && !fsType.equals("cgroup2")) {
        continue;
      }
      Set<String> controllers = new LinkedHashSet<>();
      if (fsType.equals("cgroup")) {
        for (String option : f[dash + 3].split(",")) {
          if (V1_CONTROLLERS.contains(option)) {
            controllers.add(option);
          }
        }
      }
      boolean readOnly = List.of(f[5].split(",")).contains("ro");
      String mountPoint = unescape(f[4]);
      Path resolved = fsRoot.resolve(mountPoint.substring(1));
      mounts.add(
          new Mount(
              unescape(f[3]),
              resolved,
              fsType,
              java.util.Collections.unmodifiableSet(controllers),
              readOnly));
    }
    return mounts;
  }

  /** mountinfo writes space, tab, newline and backslash as octal escapes. */
  private static String unescape(String field) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\'
          && i + 3 < field.length()
          && field.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  Optional<Hierarchy> v1With(String controller) {
    return v1.stream().filter(h -> h.controllers.contains(controller)).findFirst();
  }
}
