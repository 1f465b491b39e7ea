package dev.nsjunit.internal.limits.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which placement the v2 driver turns to when the JVM's cgroup is shared, and what it says when
 * that fails too, decided on a v2 layout built in a temporary directory ({@link FakeV2Tree}). The
 * placements themselves (a real systemd scope, real processes moved into a leaf) run in the cgroup
 * v2 guest: .ci/guest/run-all's scenarios shared, forks2, container and systemd.
 */
class V2PlacementTest {
  private static final long SELF = 4242;
  private static final String MOUNTINFO =
      "30 23 0:26 / /sys/fs/cgroup rw,nsdelegate - cgroup2 cgroup2 rw\n";

  @TempDir Path root;
  private Path job;

  @BeforeEach
  void serviceCgroupSharedWithMaven() throws Exception {
    FakeV2Tree tree = new FakeV2Tree(root);
    job = tree.group("sys/fs/cgroup/system.slice/ci.service", "cpu memory pids", "", 4243, SELF);
    tree.process(4243, "mvn");
  }

  private V2Driver driver(CgroupPlacement placement) throws Exception {
    return (V2Driver)
        CgroupDriver.detect(
            MOUNTINFO,
            "0::/system.slice/ci.service\n",
            root,
            SELF,
            new CgroupSettings(Optional.empty(), placement, () -> List.of("/bin/true")));
  }

  /** systemd "manages" the fake root, and its systemd-run answers like one without a bus. */
  private void systemdThatRefuses() throws Exception {
    Files.createDirectories(root.resolve("run/systemd/system"));
    Path run = Files.createDirectories(root.resolve("usr/bin")).resolve("systemd-run");
    Files.writeString(
        run, "#!/bin/sh\necho 'Failed to connect to bus: No such file or directory' >&2\nexit 1\n");
    Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void onASystemdHostAutoAsksSystemdAndExplainsItsRefusal() throws Exception {
    systemdThatRefuses();
    assertThatThrownBy(
            () ->
                driver(CgroupPlacement.AUTO)
                    .create("nsjunit-1-2-3", CgroupLimits.none().withMemory(1 << 26)))
        .isInstanceOf(CgroupException.class)
        .hasMessageStartingWith(
            "cannot place test cgroups on a systemd host: this JVM's cgroup "
                + job
                + " holds other processes (4243 (mvn), 4242 (?)); then asking systemd for a delegated scope failed: systemd"
                + " refused the scope: `"
                + root.resolve("usr/bin/systemd-run")
                + " --scope")
        .hasMessageContaining(
            "--property=Delegate=yes -- /bin/true` exited with 1: Failed to connect to bus: No such file"
                + " or directory")
        .hasMessageContaining(
            "set nsjunit.cgroup.placement=leaf to move the processes of this JVM's cgroup into a leaf"
                + " instead")
        .hasMessageContaining("nsjunit.unprivileged=skip skips the limited ones");
    assertThat(job.resolve("nsjunit-1-2-3")).doesNotExist();
    assertThat(job.resolve("nsjunit-leaf"))
        .as("auto does not fall back to moving a systemd unit's processes")
        .doesNotExist();
  }

  @Test
  void ownNeverTriesSystemdOrTheLeaf() throws Exception {
    systemdThatRefuses();
    assertThatThrownBy(
            () ->
                driver(CgroupPlacement.OWN)
                    .create("nsjunit-1-2-3", CgroupLimits.none().withMemory(1 << 26)))
        .isInstanceOf(OwnCgroupRefusal.class)
        .hasMessageContaining(
            "it holds processes other than this JVM (pid 4242): 4243 (mvn), 4242 (?)")
        .hasMessageContaining(
            "with nsjunit.cgroup.placement=own nsjunit moves no process it did not start");
    assertThat(job.resolve("nsjunit-leaf")).doesNotExist();
  }

  @Test
  void controllersTheHostDoesNotGiveCannotBeHadByMovingProcesses() throws Exception {
    Files.writeString(job.resolve("cgroup.controllers"), "memory pids\n");
    assertThatThrownBy(
            () ->
                driver(CgroupPlacement.LEAF)
                    .create("nsjunit-1-2-3", CgroupLimits.none().withCpus(0.5)))
        .isInstanceOf(CgroupException.class)
        .hasMessageStartingWith(
            "cannot place test cgroups on a cgroup v2 host without systemd: the cpu controller(s)"
                + " are not delegated to "
                + job)
        .hasMessageContaining(
            "moving the processes of "
                + job
                + " into a leaf failed: the cpu controller(s) are not"
                + " available in "
                + job)
        .hasMessageContaining(
            "enable the controllers for this JVM's cgroup in its parents' cgroup.subtree_control");
    assertThat(job.resolve("nsjunit-leaf")).doesNotExist();
  }
}
