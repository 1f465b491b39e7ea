package dev.nsjunit.internal.run;

import dev.nsjunit.internal.lab.LabAccess;
import dev.nsjunit.internal.launcher.LauncherOption;
import dev.nsjunit.internal.limits.cgroup.TestCgroup;
import dev.nsjunit.internal.spec.Configuration;
import dev.nsjunit.internal.spec.SandboxSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * What the features see of one sandbox while they prepare it ({@link SandboxFeature#prepare}): the
 * spec and configuration, the sandbox's id and run directory, the child JVM's paths, the teardown
 * their resources join, and the launcher options they add.
 */
public final class SandboxSetup {
  /** The files the child JVM cannot run without: a feature must not hide them. */
  public record ChildJvmPaths(Path java, List<Path> classpath, Path workingDirectory) {}

  private final SandboxSpec spec;
  private final Configuration config;
  private final int id;
  private final RunDirectory directory;
  private final Teardown teardown;
  private final ChildJvmPaths childJvm;
  private final Optional<LabAccess> lab;
  private final List<String> launcherOptions = new ArrayList<>();
  private TestCgroup cgroup;

  public SandboxSetup(
      SandboxSpec spec,
      Configuration config,
      int id,
      RunDirectory directory,
      Teardown teardown,
      ChildJvmPaths childJvm,
      Optional<LabAccess> lab) {
    this.spec = spec;
    this.config = config;
    this.id = id;
    this.directory = directory;
    this.teardown = teardown;
    this.childJvm = childJvm;
    this.lab = lab;
  }

  public SandboxSpec spec() {
    return spec;
  }

  public Configuration config() {
    return config;
  }

  /** This sandbox's number in the JVM's run directory (file names, cgroup names). */
  public int id() {
    return id;
  }

  public RunDirectory directory() {
    return directory;
  }

  public ChildJvmPaths childJvm() {
    return childJvm;
  }

  /** The lab this test's host belongs to, when it has a {@code @Topology}. */
  public Optional<LabAccess> lab() {
    return lab;
  }

  /** Registers a resource's removal, at its stage of the fixed teardown order. */
  public void onTeardown(Teardown.Stage stage, Teardown.Step step) {
    teardown.at(stage, step);
  }

  /** Adds a launcher flag. */
  public void launcherOption(LauncherOption flag) {
    if (flag.takesValue()) {
      throw new IllegalArgumentException(flag.text() + " needs a value");
    }
    launcherOptions.add(flag.text());
  }

  /** Adds a launcher option and its value: two argv elements, never joined into a shell string. */
  public void launcherOption(LauncherOption option, String value) {
    launcherOptions.addAll(option.with(value));
  }

  /** Adds an option in its {@code --option=value} form. */
  public void launcherOptionJoined(LauncherOption option, String value) {
    launcherOptions.add(option.joined(value));
  }

  public List<String> launcherOptions() {
    return Collections.unmodifiableList(launcherOptions);
  }

  /** The test's cgroup, whose usage the run record reports (set by the limits feature). */
  public void measure(TestCgroup group) {
    this.cgroup = group;
  }

  public Optional<TestCgroup> cgroup() {
    return Optional.ofNullable(cgroup);
  }
}
