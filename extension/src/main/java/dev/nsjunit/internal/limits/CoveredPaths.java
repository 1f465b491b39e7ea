package dev.nsjunit.internal.limits;

import dev.nsjunit.internal.spec.SandboxSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@code @TmpFs} covers in the sandbox besides the test's own files. nsjunit's directory
 * (the channel socket, status and hosts files, the launcher) stays visible below a tmpfs that
 * covers it: the launcher binds it back ({@code --keep-path}), so {@code @TmpFs(path = "/tmp")}
 * works. What the child JVM is made of (its java, its class path, its working directory) cannot be
 * kept without surprising the test, so a tmpfs over it fails the test before anything starts,
 * naming both.
 */
public final class CoveredPaths {
  private CoveredPaths() {}

  /** Why the spec's tmpfs mounts cannot be made, if they cannot. */
  public static Optional<String> clash(
      SandboxSpec spec,
      Path java,
      List<Path> classpath,
      Path workingDirectory,
      Path nsjunitDirectory) {
    Map<Path, String> needed = new LinkedHashMap<>();
    needed.put(java, "the child JVM's java executable");
    for (Path entry : classpath) {
      needed.putIfAbsent(entry, "an entry of the child JVM's class path");
    }
    needed.putIfAbsent(workingDirectory, "the working directory");
    for (SandboxSpec.TmpFsMount mount : spec.tmpfs()) {
      Path covered = mount.path();
      for (Map.Entry<Path, String> n : needed.entrySet()) {
        for (Path p : forms(n.getKey())) {
          if (p.startsWith(covered)) {
            return Optional.of(
                "@TmpFs(path = \""
                    + covered
                    + "\") would hide "
                    + n.getValue()
                    + " "
                    + n.getKey()
                    + " inside the sandbox, so the test could not start: choose another path for the tmpfs (a directory"
                    + " of its own, for example \""
                    + covered.resolve("test-data")
                    + "\")");
          }
        }
      }
      for (Path p : forms(nsjunitDirectory)) {
        if (covered.startsWith(p)) {
          return Optional.of(
              "@TmpFs(path = \""
                  + covered
                  + "\") would replace nsjunit's own directory "
                  + nsjunitDirectory
                  + " (the sandbox's channel socket): choose a path outside it, or set java.io.tmpdir elsewhere");
        }
      }
    }
    return Optional.empty();
  }

  /** nsjunit's directory when a tmpfs covers it: to be kept visible with --keep-path. */
  public static List<Path> kept(SandboxSpec spec, Path nsjunitDirectory) {
    List<Path> kept = new ArrayList<>();
    for (SandboxSpec.TmpFsMount mount : spec.tmpfs()) {
      if (forms(nsjunitDirectory).stream()
              .anyMatch(p -> p.startsWith(mount.path()) && !p.equals(mount.path()))
          && !kept.contains(nsjunitDirectory)) {
        kept.add(nsjunitDirectory);
      }
    }
    return kept;
  }

  /**
   * The path as given and as resolved (a symlinked JDK or /tmp is hidden by a tmpfs over either).
   */
  private static List<Path> forms(Path path) {
    List<Path> forms = new ArrayList<>(List.of(path.toAbsolutePath().normalize()));
    try {
      Path real = path.toRealPath();
      if (!forms.contains(real)) {
        forms.add(real);
      }
    } catch (IOException e) {
      // does not exist (yet): as given
    }
    return forms;
  }
}
