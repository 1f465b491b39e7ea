package dev.nsjunit.internal.limits.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Detection reads mountinfo and /proc/self/cgroup only; these are layouts seen in the wild. */
class CgroupLayoutTest {
  private static final Path ROOT = Path.of("/");

  static final String HYBRID_MOUNTINFO =
      """
      31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
      32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
      33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
      34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
      35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
      37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
      39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
      40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
      41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
      """;
  static final String HYBRID_CGROUP =
      """
      9:name=systemd:/
      8:pids:/
      6:freezer:/
      4:memory:/process_api/a2cd
      3:cpuset:/
      2:cpuacct:/
      1:cpu:/
      0::/
      """;

  @Test
  void hybridHostHasSeparateCpuAndCpuacctAndAControllerlessUnifiedTree() throws Exception {
    CgroupLayout layout = CgroupLayout.parse(HYBRID_MOUNTINFO, HYBRID_CGROUP, ROOT);
    assertThat(layout.v1With("memory").orElseThrow().ownGroup())
        .isEqualTo(Path.of("/sys/fs/cgroup/memory/process_api/a2cd"));
    assertThat(layout.v1With("cpu").orElseThrow())
        .isNotEqualTo(layout.v1With("cpuacct").orElseThrow());
    assertThat(layout.v1With("devices")).isEmpty();
    assertThat(layout.unified().orElseThrow().ownGroup())
        .isEqualTo(Path.of("/sys/fs/cgroup/unified"));
    assertThat(
            CgroupDriver.detect(
                HYBRID_MOUNTINFO, HYBRID_CGROUP, ROOT, 1, java.util.Optional.empty()))
        .isInstanceOf(V1Driver.class);
  }

  @Test
  void combinedCpuAndCpuacctIsOneHierarchy() throws Exception {
    CgroupLayout layout =
        CgroupLayout.parse(
            "25 20 0:22 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n",
            "3:cpu,cpuacct:/user.slice\n",
            ROOT);
    assertThat(layout.v1With("cpu")).isEqualTo(layout.v1With("cpuacct"));
    assertThat(layout.v1With("cpu").orElseThrow().ownGroup())
        .isEqualTo(Path.of("/sys/fs/cgroup/cpu,cpuacct/user.slice"));
  }

  @Test
  void containerMountShowingOnlyItsSubtreeIsResolvedRelativeToTheMountRoot() throws Exception {
    // Docker with --cgroupns=host: the mount root is the container's own group
    CgroupLayout layout =
        CgroupLayout.parse(
            "700 690 0:30 /docker/abc /sys/fs/cgroup ro,nosuid - cgroup2 cgroup rw,nsdelegate\n",
            "0::/docker/abc/job\n",
            ROOT);
    CgroupLayout.Hierarchy unified = layout.unified().orElseThrow();
    assertThat(unified.ownGroup()).isEqualTo(Path.of("/sys/fs/cgroup/job"));
    assertThat(unified.readOnly()).isTrue();
  }

  @Test
  void escapedMountPointsAreDecoded() throws Exception {
    CgroupLayout layout =
        CgroupLayout.parse(
            "41 31 0:38 / /mnt/cg\\040two rw - cgroup2 cgroup2 rw\n", "0::/a\n", ROOT);
    assertThat(layout.unified().orElseThrow().ownGroup()).isEqualTo(Path.of("/mnt/cg two/a"));
  }

  @Test
  void aPlainTmpfsAtSysFsCgroupIsNotMistakenForCgroups() {
    assertThatThrownBy(
            () ->
                CgroupLayout.parse(
                    "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n", "0::/\n", ROOT))
        .isInstanceOf(CgroupException.class)
        .hasMessageContaining("no usable cgroup hierarchy");
  }

  @Test
  void pureV2HostGetsTheV2Driver() throws Exception {
    CgroupDriver driver =
        CgroupDriver.detect(
            "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n",
            "0::/user.slice/job\n",
            ROOT,
            1,
            java.util.Optional.empty());
    assertThat(driver).isInstanceOf(V2Driver.class);
    assertThat(driver.describe()).startsWith("cgroup v2 (unified at /sys/fs/cgroup;");
  }

  @Test
  void cpuListsAreParsedValidatedAndCompared() {
    assertThat(CpuList.parse("0-2,5").toString()).isEqualTo("0-2,5");
    assertThat(CpuList.parse("3,1,2").toString()).isEqualTo("1-3");
    assertThat(CpuList.parse("1").isSubsetOf(CpuList.parse("0-1"))).isTrue();
    assertThat(CpuList.parse("0-2").isSubsetOf(CpuList.parse("0-1"))).isFalse();
    assertThatThrownBy(() -> CpuList.parse("1-0")).hasMessageContaining("invalid CPU list \"1-0\"");
    assertThatThrownBy(() -> CpuList.parse("a")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CgroupLimits.none().withCpuset("0,,1"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void limitsRejectValuesNoKernelTakes() {
    assertThat(CgroupLimits.none().isEmpty()).isTrue();
    assertThat(CgroupLimits.none().withPids(1).isEmpty()).isFalse();
    assertThatThrownBy(() -> CgroupLimits.none().withMemory(0))
        .hasMessageContaining("memory limit must be positive");
    assertThatThrownBy(() -> CgroupLimits.none().withMemorySwap(1))
        .hasMessageContaining("needs a memory limit");
    assertThatThrownBy(() -> CgroupLimits.none().withCpus(Double.NaN)).hasMessageContaining("cpus");
    assertThat(CgroupLimits.none().withCpus(1.5).cpuQuotaMicros()).isEqualTo(150_000);
  }
}
