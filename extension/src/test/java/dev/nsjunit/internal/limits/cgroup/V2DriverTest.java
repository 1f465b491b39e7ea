package dev.nsjunit.internal.limits.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The v2 driver with real controllers. Skipped on this project's hybrid dev machines; run it in the
 * cgroup v2 VM with the JVM alone in its cgroup (see {@link dev.nsjunit.testing.SuiteMain} and
 * .ci/cgroup2-vm-tests), where the first create moves the JVM into its leaf and enables the
 * controllers, or on a v2 CI host with {@code nsjunit.cgroup.parent}. The tests every driver shares
 * (quota, OOM kill, sweep) are in {@link CgroupDriverContract}; they run here too, and count in
 * .ci/cgroup2-vm-tests' EXPECTED.
 */
class V2DriverTest extends CgroupDriverContract {
  @Override
  Class<? extends CgroupDriver> driverType() {
    return V2Driver.class;
  }

  @Test
  void allLimitsAreWrittenIntoOneGroupWithTheControllersEnabledAbove() throws Exception {
    TestCgroup group = create(CgroupLimits.none().withMemory(64 * MIB).withCpus(0.5).withPids(20));
    assertThat(group.attachDirectories()).hasSize(1);
    Path dir = group.attachDirectories().get(0);
    assertThat(read(dir, "memory.max")).isEqualTo(Long.toString(64 * MIB));
    assertThat(read(dir, "memory.swap.max")).isEqualTo("0");
    assertThat(read(dir, "cpu.max")).isEqualTo("50000 100000");
    assertThat(read(dir, "pids.max")).isEqualTo("20");
    assertThat(read(dir.getParent(), "cgroup.subtree_control").split(" "))
        .contains("cpu", "memory", "pids");
    assertThat(read(dir.getParent(), "cgroup.procs"))
        .as("no internal processes in the parent")
        .isEmpty();
    System.out.println(
        "v2: "
            + driver.describe()
            + "; test group "
            + dir
            + "; this JVM now in "
            + Files.readString(Path.of("/proc/self/cgroup")).strip());
  }

  @Test
  void attachedProcessShowsTheGroup() throws Exception {
    TestCgroup group = create(CgroupLimits.none().withPids(50));
    Process sleep = sandboxes.start("sleep", "30");
    Sandboxes.attach(sleep, group);
    Path dir = group.attachDirectories().get(0);
    assertThat(Sandboxes.procCgroup(sleep).strip()).startsWith("0::/").endsWith("/" + group.name());
    Usage usage = group.usage();
    assertThat(usage.pidsCurrent()).isEqualTo(1);
    assertThat(usage.pidsPeak()).isPresent();
    assertThat(usage.pidsPeak().getAsLong()).isGreaterThanOrEqualTo(1);
    assertThat(dir.resolve("cgroup.kill")).exists();
  }

  @Test
  void closeKillsWhatIsStillRunningAndRemovesTheGroup() throws Exception {
    assertCloseKillsWhatIsStillRunningAndRemovesEveryDirectory(CgroupLimits.none(), 1);
  }

  @Test
  void cpusetIsRefusedWhenNotDelegatedOrOutsideTheParentsCpus() throws Exception {
    String name = newName();
    Path own =
        Path.of(
            "/sys/fs/cgroup" + Files.readString(Path.of("/proc/self/cgroup")).strip().substring(3));
    Path parent = own.getFileName().toString().startsWith("nsjunit-jvm-") ? own.getParent() : own;
    if (!read(parent, "cgroup.controllers").contains("cpuset")) {
      assertThatThrownBy(() -> driver.create(name, CgroupLimits.none().withCpuset("0")))
          .isInstanceOf(CgroupException.class)
          .hasMessageContaining("the cpuset controller(s) are not delegated");
    } else {
      assertThatThrownBy(() -> driver.create(name, CgroupLimits.none().withCpuset("0-4095")))
          .isInstanceOf(CgroupException.class)
          .hasMessageContaining("cpuset \"0-4095\" is not within");
    }
    assertThat(parent.resolve(name)).doesNotExist();
  }
}
