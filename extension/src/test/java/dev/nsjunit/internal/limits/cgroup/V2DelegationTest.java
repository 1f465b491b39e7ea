package dev.nsjunit.internal.limits.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the v2 driver gets a parent for test groups, decided from a v2 layout built in a temporary
 * directory ({@link FakeV2Tree}: plain files stand in for cgroup files, so only the decisions are
 * checked here, not the writes). The same paths are ALSO verified for real in the cgroup v2 VM: the
 * leaf move by {@link V2DriverTest} run alone in its cgroup, the "holds other processes" message by
 * {@link V2SharedCgroupCheck}, the missing cpuset controller by {@link V2DriverTest}.
 */
class V2DelegationTest {
  private static final long SELF = 4242;
  private static final String MOUNTINFO =
      "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";

  @TempDir Path root;
  private FakeV2Tree tree;
  private Path job;

  @BeforeEach
  void jobCgroupWithDelegatedControllers() throws Exception {
    tree = new FakeV2Tree(root);
    job = tree.group("sys/fs/cgroup/job", "cpu memory pids", "", SELF);
    tree.process(4243, "java");
  }

  private V2Driver driver(String ownCgroup, Optional<Path> delegated) throws Exception {
    return (V2Driver)
        CgroupDriver.detect(MOUNTINFO, "0::" + ownCgroup + "\n", root, SELF, delegated);
  }

  @Test
  void jvmAloneInItsCgroupMovesItselfIntoALeafThenEnablesControllers() throws Exception {
    V2Driver.Plan plan = driver("/job", Optional.empty()).plan(Set.of("memory"));
    assertThat(plan.parent()).isEqualTo(job);
    assertThat(plan.moveSelfInto())
        .hasValueSatisfying(
            leaf -> {
              assertThat(leaf.getParent()).isEqualTo(job);
              assertThat(leaf.getFileName().toString()).startsWith("nsjunit-jvm-4242-");
            });
    assertThat(plan.enable()).containsExactly("cpu", "memory", "pids");
  }

  @Test
  void jvmAlreadyInItsLeafUsesTheLeafsParentWithoutMovingAgain() throws Exception {
    tree.procs(job);
    tree.subtree(job, "cpu memory pids");
    tree.group("sys/fs/cgroup/job/nsjunit-jvm-4242-0", "cpu memory pids", "", SELF);
    V2Driver.Plan plan =
        driver("/job/nsjunit-jvm-4242-0", Optional.empty()).plan(Set.of("memory", "pids"));
    assertThat(plan.parent()).isEqualTo(job);
    assertThat(plan.moveSelfInto()).isEmpty();
    assertThat(plan.enable()).isEmpty();
  }

  @Test
  void otherProcessesInTheJvmsCgroupAreNamedAndTheFixesGiven() throws Exception {
    tree.procs(job, 4243, SELF);
    assertThatThrownBy(
            () ->
                driver("/job", Optional.empty())
                    .create("nsjunit-1-2-3", CgroupLimits.none().withMemory(1 << 24)))
        .isInstanceOf(CgroupException.class)
        .hasMessageContaining("below " + job)
        .hasMessageContaining(
            "holds processes other than this JVM (pid 4242): 4243 (java), 4242 (?)")
        .hasMessageContaining(
            "with nsjunit.cgroup.placement=own nsjunit moves no process it did not start")
        .hasMessageContaining(
            "nsjunit.cgroup.placement=auto (the default: a systemd scope with Delegate=yes, or the"
                + " processes of that cgroup moved into a leaf)")
        .hasMessageContaining("-Dnsjunit.cgroup.parent=/sys/fs/cgroup/<path>");
    assertThat(job.resolve("nsjunit-1-2-3")).doesNotExist();
  }

  @Test
  void otherProcessesDoNotMatterWhenTheControllersAreAlreadyEnabled() throws Exception {
    tree.procs(job, 4243, SELF);
    tree.subtree(job, "memory");
    V2Driver.Plan plan = driver("/job", Optional.empty()).plan(Set.of("memory"));
    assertThat(plan.moveSelfInto()).isEmpty();
    assertThat(plan.enable()).isEmpty();
    assertThat(plan.usable())
        .containsExactly("memory"); // no cpu/pids usage numbers, but no failure
  }

  @Test
  void aControllerMissingFromCgroupControllersIsReportedAsNotDelegated() throws Exception {
    assertThatThrownBy(() -> driver("/job", Optional.empty()).plan(Set.of("cpuset", "memory")))
        .isInstanceOf(CgroupException.class)
        .hasMessageContaining("the cpuset controller(s) are not delegated to " + job)
        .hasMessageContaining("lists \"cpu memory pids\"")
        .hasMessageContaining("Delegate=yes")
        .hasMessageContaining("Kubernetes and GitHub Actions");
  }

  @Test
  void aConfiguredDelegatedParentIsUsedInsteadOfTheJvmsCgroup() throws Exception {
    tree.procs(job, 4243, SELF);
    Path ci = tree.group("sys/fs/cgroup/ci-tests", "cpu memory pids cpuset", "memory");
    V2Driver.Plan plan =
        driver("/job", Optional.of(Path.of("/sys/fs/cgroup/ci-tests"))).plan(Set.of("cpuset"));
    assertThat(plan.parent()).isEqualTo(ci);
    assertThat(plan.moveSelfInto()).isEmpty();
    assertThat(plan.enable()).containsExactly("cpu", "cpuset", "pids");
  }

  @Test
  void aConfiguredParentWithProcessesIsRefused() throws Exception {
    tree.group("sys/fs/cgroup/ci-tests", "cpu memory pids", "", 4243);
    assertThatThrownBy(
            () ->
                driver("/job", Optional.of(Path.of("/sys/fs/cgroup/ci-tests")))
                    .plan(Set.of("memory")))
        .hasMessageContaining("named by nsjunit.cgroup.parent holds processes (4243 (java))")
        .hasMessageContaining("write \"+cpu +memory +pids\" to its cgroup.subtree_control");
  }

  @Test
  void aConfiguredParentOutsideTheCgroup2MountIsRefused() throws Exception {
    Files.createDirectories(root.resolve("tmp/x"));
    assertThatThrownBy(() -> driver("/job", Optional.of(Path.of("/tmp/x"))).plan(Set.of("memory")))
        .hasMessageContaining(
            "nsjunit.cgroup.parent=/tmp/x is not a cgroup in the cgroup2 hierarchy");
  }

  @Test
  void theHierarchysRootMayEnableControllersWhileItHoldsProcesses() throws Exception {
    Path top = tree.group("sys/fs/cgroup", "cpu memory pids", "", 1, 4243, SELF);
    Files.delete(
        top.resolve("cgroup.type")); // only the real root lacks it; a namespace's root has it
    V2Driver.Plan plan = driver("/", Optional.empty()).plan(Set.of("memory"));
    assertThat(plan.parent()).isEqualTo(top);
    assertThat(plan.moveSelfInto()).isEmpty();
    assertThat(plan.enable()).containsExactly("cpu", "memory", "pids");
  }

  @Test
  void aContainersNamespaceRootIsNotExemptAndNamesItsProcesses() throws Exception {
    Path nsRoot =
        tree.group("sys/fs/cgroup", "cpu memory pids", "", 1, 4243, SELF); // with cgroup.type
    assertThatThrownBy(() -> driver("/", Optional.empty()).plan(Set.of("memory")))
        .isInstanceOf(OwnCgroupRefusal.class)
        .hasMessageContaining("below " + nsRoot + ": it holds processes other than this JVM")
        .satisfies(
            e ->
                assertThat(((OwnCgroupRefusal) e).reason())
                    .isEqualTo(
                        "this JVM's cgroup "
                            + nsRoot
                            + " holds other processes (1 (?), 4243 (java), 4242 (?))"));
  }

  @Test
  void aJvmThatSharesTheLeafOfAnotherPlacesItsGroupsBesideTheLeaf() throws Exception {
    tree.procs(job);
    tree.subtree(job, "cpu memory pids");
    tree.group("sys/fs/cgroup/job/nsjunit-leaf", "cpu memory pids", "", SELF, 4243);
    V2Driver.Plan plan = driver("/job/nsjunit-leaf", Optional.empty()).plan(Set.of("memory"));
    assertThat(plan.parent()).isEqualTo(job);
    assertThat(plan.enable()).isEmpty();
  }

  @Test
  void readOnlyCgroupTreeExplainsContainerFixes() {
    CgroupException e =
        ControlFiles.failure(
            "creating cgroup",
            Path.of("/sys/fs/cgroup/x"),
            new FileSystemException("/sys/fs/cgroup/x", null, "Read-only file system"));
    assertThat(e.getMessage())
        .startsWith("creating cgroup /sys/fs/cgroup/x failed: Read-only file system")
        .contains(
            "--privileged",
            "-v /sys/fs/cgroup:/sys/fs/cgroup:rw --cgroupns=host",
            "privileged pod");
  }
}
