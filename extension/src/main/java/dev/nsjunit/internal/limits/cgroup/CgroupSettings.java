package dev.nsjunit.internal.limits.cgroup;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the user configured about cgroups, and what the drivers need from the rest of nsjunit.
 *
 * @param delegatedParent {@value CgroupDriver#PARENT_PROPERTY}: a prepared v2 cgroup; wins over any
 *     placement
 * @param placement {@value CgroupPlacement#PROPERTY}
 * @param holderCommand a command that runs until its stdin reaches EOF (the launcher holding a
 *     sleep), for the process a systemd scope needs
 */
public record CgroupSettings(
    Optional<Path> delegatedParent,
    CgroupPlacement placement,
    Supplier<List<String>> holderCommand) {

  /** Only below the JVM's own cgroup, or in the given parent: never touches anything else. */
  public static CgroupSettings ownOnly(Optional<Path> delegatedParent) {
    return new CgroupSettings(delegatedParent, CgroupPlacement.OWN, List::of);
  }
}
