package dev.nsjunit.internal.limits.cgroup;

import java.nio.file.Path;
import java.util.List;

/** The cgroup(s) of one sandbox, with all limits already written. */
public interface TestCgroup extends AutoCloseable {

  /** The group name, the same in every hierarchy. */
  String name();

  /**
   * Directories whose {@code cgroup.procs} the launcher writes the sandbox's pid into before exec,
   * one per hierarchy. A process must be in all of them for every limit to apply.
   */
  List<Path> attachDirectories();

  /** Live usage; after {@link #close()} the usage read just before the groups were removed. */
  Usage usage();

  /** How many processes the kernel's OOM killer killed in this group. */
  long oomKills();

  /**
   * Kills every process left in the groups and removes them, deepest first, retrying while the
   * kernel still reports them busy (about 2 s). Idempotent.
   *
   * @throws IllegalStateException with a {@link CgroupException} cause when a group could not be
   *     removed; the next run's {@link CgroupDriver#sweepOrphans()} retries it
   */
  @Override
  void close();
}
