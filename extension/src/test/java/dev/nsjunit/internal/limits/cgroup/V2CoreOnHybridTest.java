package dev.nsjunit.internal.limits.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The v2 driver's core (mkdir, attach, cgroup.kill, rmdir) for real on a hybrid host's
 * controller-less cgroup2 tree, by detecting from the cgroup2 lines of mountinfo only. Limits there
 * must fail, not be skipped. Controllers themselves are tested by {@link V2DriverTest}.
 */
class V2CoreOnHybridTest {
  private CgroupDriver driver;
  private final Sandboxes sandboxes = new Sandboxes();

  @BeforeEach
  void detectOnlyTheUnifiedTree() throws Exception {
    String mountinfo =
        Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
            .filter(l -> l.contains(" - cgroup2 "))
            .collect(Collectors.joining("\n"));
    String cgroup =
        Files.readAllLines(Path.of("/proc/self/cgroup")).stream()
            .filter(l -> l.startsWith("0::"))
            .findFirst()
            .orElse("");
    assumeTrue(!mountinfo.isEmpty() && !cgroup.isEmpty(), "no cgroup2 mount");
    assumeTrue(CgroupDriver.detect() instanceof V1Driver, "pure v2 host: V2DriverTest covers it");
    driver =
        CgroupDriver.detect(
            mountinfo, cgroup, Path.of("/"), ProcessHandle.current().pid(), Optional.empty());
  }

  @AfterEach
  void stopProcesses() throws InterruptedException {
    sandboxes.destroyAll();
  }

  @Test
  void groupWithoutControllersStillAttachesKillsAndRemoves() throws Exception {
    TestCgroup group = driver.create(CgroupNames.forThisJvm(2001), CgroupLimits.none());
    try {
      Path dir = group.attachDirectories().get(0);
      Process busy = sandboxes.start("sh", "-c", "sleep 30 & while :; do :; done");
      Sandboxes.attach(busy, group);
      assertThat(Sandboxes.procCgroup(busy)).contains("0::").endsWith("/" + group.name() + "\n");
      Sandboxes.awaitUsage(
          group,
          u -> u.cpuTime().compareTo(java.time.Duration.ZERO) > 0,
          "CPU time in the core cpu.stat usage_usec");

      group.close();

      assertThat(Sandboxes.dies(busy)).isTrue();
      assertThat(dir).doesNotExist();
    } finally {
      group.close();
    }
  }

  @Test
  void limitsOnATreeWithoutThatControllerFailInsteadOfRunningUnlimited() {
    String name = CgroupNames.forThisJvm(2002);
    assertThatThrownBy(() -> driver.create(name, CgroupLimits.none().withMemory(1 << 26)))
        .isInstanceOf(CgroupException.class)
        .hasMessageContaining("the memory controller(s) are not delegated");
  }
}
