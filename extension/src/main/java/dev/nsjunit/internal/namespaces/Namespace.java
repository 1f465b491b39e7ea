package dev.nsjunit.internal.namespaces;

/** The Linux namespaces a sandbox can be given, with the launcher option that creates each. */
public enum Namespace {
  PID("--pid"),
  MOUNT("--mount"),
  NET("--net"),
  UTS("--uts"),
  IPC("--ipc"),
  CGROUP("--cgroupns"),
  TIME("--time"),
  USER("--user");

  private final String launcherOption;

  Namespace(String launcherOption) {
    this.launcherOption = launcherOption;
  }

  public String launcherOption() {
    return launcherOption;
  }
}
