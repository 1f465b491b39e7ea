package dev.nsjunit.internal.limits;

import dev.nsjunit.SandboxFailedException;
import dev.nsjunit.SandboxFailedException.Reason;
import dev.nsjunit.internal.launcher.LauncherBinary;
import dev.nsjunit.internal.limits.cgroup.CgroupDriver;
import dev.nsjunit.internal.limits.cgroup.CgroupException;
import dev.nsjunit.internal.limits.cgroup.CgroupLimits;
import dev.nsjunit.internal.limits.cgroup.CgroupNames;
import dev.nsjunit.internal.limits.cgroup.CgroupSettings;
import dev.nsjunit.internal.limits.cgroup.TestCgroup;
import dev.nsjunit.internal.spec.Configuration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The cgroup driver of this JVM, detected once; on first use it also sweeps the groups of test JVMs
 * that died without removing theirs (SIGKILL), so a crashed run is cleaned by the next one.
 */
public final class SandboxCgroups {
  private static CgroupDriver driver;

  private SandboxCgroups() {}

  public static TestCgroup create(int id, CgroupLimits limits, Configuration config) {
    try {
      return driver(config).create(CgroupNames.forThisJvm(id), limits);
    } catch (CgroupException e) {
      throw new SandboxFailedException(
          Reason.LIMITS_UNAVAILABLE,
          "the cgroup limits of this test could not be applied, so it was not started: "
              + e.getMessage(),
          e);
    }
  }

  private static synchronized CgroupDriver driver(Configuration config) throws CgroupException {
    if (driver == null) {
      CgroupSettings settings =
          new CgroupSettings(
              config.cgroupParent(), config.cgroupPlacement(), () -> holderCommand(config));
      CgroupDriver detected = CgroupDriver.detect(settings);
      detected.sweepOrphans();
      driver = detected;
    }
    return driver;
  }

  /** A process that lives until this JVM closes its stdin: the launcher holding a sleep. */
  private static List<String> holderCommand(Configuration config) {
    String sleep = Files.isExecutable(Path.of("/bin/sleep")) ? "/bin/sleep" : "/usr/bin/sleep";
    return List.of(LauncherBinary.path(config).toString(), "--", sleep, "infinity");
  }
}
