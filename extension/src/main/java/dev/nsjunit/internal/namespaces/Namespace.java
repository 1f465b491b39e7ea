package dev.nsjunit.internal.namespaces;

import dev.nsjunit.internal.launcher.LauncherOption;

/** The Linux namespaces a sandbox can be given, with the launcher option that creates each. */
public enum Namespace {
  PID(LauncherOption.PID),
  MOUNT(LauncherOption.MOUNT),
  NET(LauncherOption.NET),
  UTS(LauncherOption.UTS),
  IPC(LauncherOption.IPC),
  CGROUP(LauncherOption.CGROUPNS),
  TIME(LauncherOption.TIME);

  private final LauncherOption launcherOption;

  Namespace(LauncherOption launcherOption) {
    this.launcherOption = launcherOption;
  }

  public LauncherOption launcherOption() {
    return launcherOption;
  }
}
