package dev.nsjunit.internal.limits.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The v2 driver with real controllers. Skipped on this project's hybrid dev machines; run it in
 * the cgroup v2 VM with the JVM alone in its cgroup (see {@link dev.nsjunit.testing.SuiteMain} and .ci/cgroup2-vm-tests), where the first
 * create moves the JVM into its leaf and enables the controllers, or on a v2 CI host with
 * {@code nsjunit.cgroup.parent}.
 */
class V2DriverTest {
  private static final AtomicInteger COUNTER = new AtomicInteger(3000);
  private static final long MIB = 1024 * 1024;

  private CgroupDriver driver;
  private final List<TestCgroup> groups = new ArrayList<>();
  private final Sandboxes sandboxes = new Sandboxes();

  @BeforeEach
  void detect() throws CgroupException {
    driver = CgroupDriver.detect();
    assumeTrue(driver instanceof V2Driver, "not a pure cgroup v2 host: " + driver.describe());
  }

  @AfterEach
  void cleanUp() throws InterruptedException {
    sandboxes.destroyAll();
    for (TestCgroup g : groups) {
      g.close();
      assertThat(g.attachDirectories()).allSatisfy(dir -> assertThat(dir).doesNotExist());
    }
  }

  private TestCgroup create(CgroupLimits limits) throws CgroupException {
    TestCgroup group = driver.create(CgroupNames.forThisJvm(COUNTER.incrementAndGet()), limits);
    groups.add(group);
    return group;
  }

  private static String read(Path dir, String file) throws Exception {
    return Files.readString(dir.resolve(file)).strip();
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
    assertThat(read(dir.getParent(), "cgroup.subtree_control").split(" ")).contains("cpu", "memory", "pids");
    assertThat(read(dir.getParent(), "cgroup.procs")).as("no internal processes in the parent").isEmpty();
    System.out.println("v2: " + driver.describe() + "; test group " + dir + "; this JVM now in "
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
  void busyLoopUsesCpuTimeAndIsThrottledByItsQuota() throws Exception {
    TestCgroup group = create(CgroupLimits.none().withCpus(0.2));
    Process busy = sandboxes.start("sh", "-c", "while :; do :; done");
    long attached = System.nanoTime(); // usage is charged to the group from here on, at the earliest
    Sandboxes.attach(busy, group);
    Usage usage = Sandboxes.awaitUsage(group,
        u -> u.throttledTime().compareTo(Duration.ZERO) > 0 && u.cpuTime().compareTo(Duration.ofMillis(100)) > 0,
        "100 ms of CPU time and some throttling");
    Duration inGroup = Duration.ofNanos(System.nanoTime() - attached);
    // The quota is the feature: 20 ms per 100 ms period, a ceiling however fast or busy the machine.
    assertThat(usage.cpuTime()).as("CPU time in %d ms", inGroup.toMillis())
        .isLessThanOrEqualTo(inGroup.dividedBy(5).plusMillis(100));
  }

  @Test
  void allocationBeyondTheMemoryLimitIsOomKilledAndCounted() throws Exception {
    TestCgroup group = create(CgroupLimits.none().withMemory(16 * MIB));
    Process hog = sandboxes.start("sh", "-c", "read go; head -c 64M /dev/zero | tail");
    Sandboxes.attach(hog, group);
    try (OutputStream in = hog.getOutputStream()) {
      in.write('\n');
    }
    assertThat(Sandboxes.dies(hog)).isTrue();
    assertThat(group.oomKills()).isGreaterThanOrEqualTo(1);
    assertThat(group.usage().memoryPeakBytes()).isGreaterThan(8 * MIB).isLessThanOrEqualTo(16 * MIB);
  }

  @Test
  void closeKillsWhatIsStillRunningAndRemovesTheGroup() throws Exception {
    TestCgroup group = driver.create(CgroupNames.forThisJvm(COUNTER.incrementAndGet()), CgroupLimits.none());
    Process parent = sandboxes.start("sh", "-c", "read go; sleep 30 & sleep 30 & wait");
    Sandboxes.attach(parent, group);
    try (OutputStream in = parent.getOutputStream()) {
      in.write('\n'); // forks its two children only once attached, so they start in the group
    }
    Sandboxes.awaitUsage(group, u -> u.pidsCurrent() == 3, "the shell and its two sleeps");
    List<ProcessHandle> sleeps = parent.toHandle().children().toList();
    assertThat(sleeps).hasSize(2);
    Path dir = group.attachDirectories().get(0);

    group.close();

    assertThat(Sandboxes.dies(parent)).isTrue();
    for (ProcessHandle sleep : sleeps) {
      assertThat(sleep.onExit()).as("sleep %d, a child of the shell", sleep.pid()).succeedsWithin(Duration.ofSeconds(5));
    }
    assertThat(dir).doesNotExist();
    assertThat(group.usage().pidsCurrent()).as("usage read just before removal").isGreaterThanOrEqualTo(1);
    group.close();
  }

  @Test
  void sweepRemovesTheGroupOfADeadJvmAndKillsItsProcess() throws Exception {
    Process gone = sandboxes.start("sleep", "30");
    String deadOwner = CgroupNames.ownerTag(gone.toHandle());
    gone.destroyForcibly();
    gone.waitFor();
    TestCgroup orphan = driver.create("nsjunit-" + deadOwner + "-7", CgroupLimits.none().withMemory(32 * MIB));
    TestCgroup ours = create(CgroupLimits.none());
    Process left = sandboxes.start("sleep", "30");
    Sandboxes.attach(left, orphan);

    assertThat(driver.sweepOrphans()).isGreaterThanOrEqualTo(1);

    assertThat(Sandboxes.dies(left)).isTrue();
    assertThat(orphan.attachDirectories().get(0)).doesNotExist();
    assertThat(ours.attachDirectories().get(0)).isDirectory();
  }

  @Test
  void cpusetIsRefusedWhenNotDelegatedOrOutsideTheParentsCpus() throws Exception {
    String name = CgroupNames.forThisJvm(COUNTER.incrementAndGet());
    Path own = Path.of("/sys/fs/cgroup" + Files.readString(Path.of("/proc/self/cgroup")).strip().substring(3));
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
