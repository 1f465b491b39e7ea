package dev.nsjunit.internal.launch;

import dev.nsjunit.SandboxFailedException;
import dev.nsjunit.SandboxFailedException.Reason;
import dev.nsjunit.internal.cgroup.CgroupDriver;
import dev.nsjunit.internal.cgroup.CgroupException;
import dev.nsjunit.internal.cgroup.CgroupLimits;
import dev.nsjunit.internal.cgroup.CgroupNames;
import dev.nsjunit.internal.cgroup.TestCgroup;

/**
 * The cgroup driver of this JVM, detected once; on first use it also sweeps the groups of test
 * JVMs that died without removing theirs (SIGKILL), so a crashed run is cleaned by the next one.
 */
final class SandboxCgroups {
  private static CgroupDriver driver;

  private SandboxCgroups() {}

  static TestCgroup create(int id, CgroupLimits limits, java.util.Optional<java.nio.file.Path> delegatedParent) {
    try {
      return driver(delegatedParent).create(CgroupNames.forThisJvm(id), limits);
    } catch (CgroupException e) {
      throw new SandboxFailedException(
          Reason.SETUP_FAILED, "the cgroup limits of this test could not be applied, so it was not started: " + e.getMessage(), e);
    }
  }

  private static synchronized CgroupDriver driver(java.util.Optional<java.nio.file.Path> delegatedParent) throws CgroupException {
    if (driver == null) {
      CgroupDriver detected = CgroupDriver.detect(delegatedParent);
      detected.sweepOrphans();
      driver = detected;
    }
    return driver;
  }
}
