package dev.nsjunit.internal.launcher;

import java.util.List;

/**
 * Every option of {@code nsjunit-launch} the Java side uses: the one definition on this side of the
 * contract. The C side is the option parser in {@code options.c}; {@code LauncherContractTest}
 * checks that each constant here is an option there, with the same arity, and that every option
 * there is either here or listed as one Java never passes.
 */
public enum LauncherOption {
  PID("--pid", false),
  MOUNT("--mount", false),
  NET("--net", false),
  UTS("--uts", false),
  IPC("--ipc", false),
  CGROUPNS("--cgroupns", false),
  TIME("--time", false),
  /** auto (a user namespace only when this process lacks CAP_SYS_ADMIN), always or never. */
  USERNS("--userns", true),
  HOSTNAME("--hostname", true),
  MONOTONIC_OFFSET("--monotonic-offset", true),
  BOOTTIME_OFFSET("--boottime-offset", true),
  MOUNT_CGROUPFS("--mount-cgroupfs", false),
  ALL_CAPABILITIES("--all-capabilities", false),
  /** A cgroup directory the sandbox joins before exec (repeatable: one per v1 hierarchy). */
  CGROUP("--cgroup", true),
  /** NAME=VALUE, set before exec. */
  RLIMIT("--rlimit", true),
  /** ABSOLUTE_PATH:BYTES. */
  TMPFS("--tmpfs", true),
  /** SRC:DST, read-only. */
  BIND_RO("--bind-ro", true),
  /** A directory a tmpfs covers that stays visible (nsjunit's own directory). */
  KEEP_PATH("--keep-path", true),
  /** A lab holder's socket: join its namespaces through the descriptors it hands over. */
  JOIN_HOLDER("--join-holder", true),
  /** Hold new namespaces for a lab and hand their descriptors out over this socket. */
  HOLD("--hold", true),
  /** Make the held namespaces inside the user namespace of another holder. */
  USERNS_OF("--userns-of", true),
  CHDIR("--chdir", true),
  /** Where the launcher writes how the sandbox ended (see {@link LauncherStatus}). */
  STATUS_FILE("--status-file", true),
  /** Only check that the namespaces can be made; run nothing. */
  CHECK("--check", false),
  /** Run as the test JVM's janitor (see {@code internal.cleanup.Janitor}). */
  JANITOR("--janitor", false);

  private final String text;
  private final boolean takesValue;

  LauncherOption(String text, boolean takesValue) {
    this.text = text;
    this.takesValue = takesValue;
  }

  /** The option as the launcher spells it. */
  public String text() {
    return text;
  }

  public boolean takesValue() {
    return takesValue;
  }

  /** The option and its value, as two argv elements. */
  public List<String> with(String value) {
    if (!takesValue) {
      throw new IllegalArgumentException(text + " takes no value");
    }
    return List.of(text, value);
  }

  /** The {@code --option=value} form, one argv element. */
  public String joined(String value) {
    if (!takesValue) {
      throw new IllegalArgumentException(text + " takes no value");
    }
    return text + "=" + value;
  }
}
