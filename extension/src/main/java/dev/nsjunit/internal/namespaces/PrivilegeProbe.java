package dev.nsjunit.internal.namespaces;

import dev.nsjunit.internal.launcher.LauncherBinary;
import dev.nsjunit.internal.launcher.LauncherOption;
import dev.nsjunit.internal.run.RunDirectory;
import dev.nsjunit.internal.spec.Configuration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Checks once per JVM (and {@code nsjunit.userns} mode) whether this machine lets us create the
 * namespaces every sandbox needs (pid and mount), by running the launcher's {@code --check} the way
 * sandboxes run it: as root directly, as an ordinary user inside a user namespace of its own. The
 * answer is cached: a machine that refuses fails (or skips) every isolated test with the same
 * explanation, fast.
 */
public final class PrivilegeProbe {
  private static final Map<String, Optional<String>> VERDICTS = new HashMap<>();

  private PrivilegeProbe() {}

  /**
   * Whether sandboxes of this JVM run in a user namespace: {@code nsjunit.userns=always}, or the
   * default "auto" without CAP_SYS_ADMIN (an ordinary user, or a container without privileges).
   */
  public static boolean rootless(Configuration config) {
    return config.userns().equals("always")
        || (config.userns().equals("auto") && !Capabilities.effective(Capabilities.CAP_SYS_ADMIN));
  }

  /** Empty when namespaces can be created, else what is missing and how to get it. */
  public static synchronized Optional<String> missingPrivilege(Configuration config) {
    return VERDICTS.computeIfAbsent(
        config.userns(), mode -> probe(config).map(reason -> explain(reason, config)));
  }

  /** Whether this JVM has checked the given {@code nsjunit.userns} mode yet (for tests). */
  public static synchronized boolean checked(String userns) {
    return VERDICTS.containsKey(userns);
  }

  private static String explain(String launcherSays, Configuration config) {
    String skip =
        " Or set the configuration parameter nsjunit.unprivileged=skip to skip isolated tests on such machines.";
    if (config.userns().equals("never") && !Capabilities.effective(Capabilities.CAP_SYS_ADMIN)) {
      return launcherSays
          + "\nThis JVM lacks CAP_SYS_ADMIN and nsjunit.userns=never forbids a user namespace: remove"
          + " nsjunit.userns (the default, auto, runs isolated tests as an ordinary user in a user namespace), or run the"
          + " tests as root or with CAP_SYS_ADMIN (Docker: --privileged; Kubernetes: privileged: true)."
          + skip;
    }
    if (rootless(config)) {
      return launcherSays
          + "\nnsjunit runs isolated tests of an ordinary user (no root, no sudo) in a user namespace of"
          + " their own, and this machine refuses that for the reason above; see docs/ide.md for what to allow. Running"
          + " the tests as root also works (Docker: --privileged; Kubernetes: privileged: true)."
          + skip;
    }
    return launcherSays
        + "\nRun the tests as root or with CAP_SYS_ADMIN (Docker: --privileged; Kubernetes: privileged:"
        + " true); without CAP_SYS_ADMIN nsjunit uses a user namespace instead, where the machine allows it."
        + skip;
  }

  private static Optional<String> probe(Configuration config) {
    Path launcher = LauncherBinary.path(config);
    Path status = RunDirectory.get().file("privilege-probe-" + config.userns() + ".status");
    try {
      Process p =
          new ProcessBuilder(
                  List.of(
                      launcher.toString(),
                      LauncherOption.CHECK.text(),
                      LauncherOption.USERNS.joined(config.userns()),
                      LauncherOption.PID.text(),
                      LauncherOption.MOUNT.text(),
                      LauncherOption.STATUS_FILE.text(),
                      status.toString()))
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.of("the launcher's privilege check did not finish within 30 s");
      }
      if (p.exitValue() == 0) {
        return Optional.empty();
      }
      String text = new String(out, StandardCharsets.UTF_8).strip();
      return Optional.of(
          text.isEmpty() ? "the launcher's privilege check exited with " + p.exitValue() : text);
    } catch (IOException e) {
      return Optional.of("could not run the launcher " + launcher + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted during the privilege check");
    } finally {
      try {
        Files.deleteIfExists(status);
      } catch (IOException ignored) {
        // part of the run directory, removed at exit
      }
    }
  }
}
