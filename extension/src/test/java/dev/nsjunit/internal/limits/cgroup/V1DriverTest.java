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
 * The v1/hybrid driver against this machine's real cgroups. Groups are created below this JVM's
 * own group in each hierarchy and removed after each test. Skipped on pure v2 hosts, where
 * {@link V2DriverTest} covers the same ground.
 */
class V1DriverTest {
  private static final AtomicInteger COUNTER = new AtomicInteger(1000);
  private static final long MIB = 1024 * 1024;

  private CgroupDriver driver;
  private final List<TestCgroup> groups = new ArrayList<>();
  private final Sandboxes sandboxes = new Sandboxes();

  @BeforeEach
  void detect() throws CgroupException {
    driver = CgroupDriver.detect();
    assumeTrue(driver instanceof V1Driver, "not a v1/hybrid host: " + driver.describe());
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

  private static Path dirOf(TestCgroup group, String hierarchy) {
    return group.attachDirectories().stream()
        .filter(d -> d.toString().startsWith("/sys/fs/cgroup/" + hierarchy + "/"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + hierarchy + " group in " + group.attachDirectories()));
  }

  private static String read(Path dir, String file) throws Exception {
    return Files.readString(dir.resolve(file)).strip();
  }

  @Test
  void describeSaysHybridWhenAControllerlessCgroup2IsMounted() {
    assertThat(driver.describe()).startsWith("cgroup v1 (hybrid: v1 controllers").contains("/sys/fs/cgroup/unified");
  }

  @Test
  void memoryLimitIsWrittenWithoutSwapAndWithTheOomKillerOn() throws Exception {
    TestCgroup group = create(CgroupLimits.none().withMemory(64 * MIB));
    Path memory = dirOf(group, "memory");
    assertThat(memory.getParent()).isEqualTo(ownGroup("memory"));
    assertThat(read(memory, "memory.limit_in_bytes")).isEqualTo(Long.toString(64 * MIB));
    assertThat(read(memory, "memory.memsw.limit_in_bytes")).isEqualTo(Long.toString(64 * MIB));
    assertThat(read(memory, "memory.swappiness")).isEqualTo("0");
    assertThat(read(memory, "memory.oom_control")).contains("oom_kill_disable 0");
  }

  @Test
  void swapBeyondMemoryIsAddedToTheMemswLimit() throws Exception {
    TestCgroup group = create(CgroupLimits.none().withMemory(32 * MIB).withMemorySwap(16 * MIB));
    assertThat(read(dirOf(group, "memory"), "memory.memsw.limit_in_bytes")).isEqualTo(Long.toString(48 * MIB));
  }

  @Test
  void cpusBecomeACfsQuotaPerHundredMilliseconds() throws Exception {
    TestCgroup group = create(CgroupLimits.none().withCpus(0.5));
    Path cpu = dirOf(group, "cpu");
    assertThat(read(cpu, "cpu.cfs_period_us")).isEqualTo("100000");
    assertThat(read(cpu, "cpu.cfs_quota_us")).isEqualTo("50000");
  }

  @Test
  void tinyCpuShareIsRaisedToTheKernelMinimumQuota() throws Exception {
    TestCgroup group = create(CgroupLimits.none().withCpus(0.001));
    assertThat(read(dirOf(group, "cpu"), "cpu.cfs_quota_us")).isEqualTo("1000");
  }

  @Test
  void cpusetGetsTheCpusAndTheParentsMemoryNodes() throws Exception {
    TestCgroup group = create(CgroupLimits.none().withCpuset("0"));
    Path cpuset = dirOf(group, "cpuset");
    assertThat(read(cpuset, "cpuset.cpus")).isEqualTo("0");
    assertThat(read(cpuset, "cpuset.mems")).isEqualTo(read(cpuset.getParent(), "cpuset.mems")).isNotEmpty();
  }

  @Test
  void cpusetOutsideTheJvmsCpusFailsNamingBothAndLeavesNothing() throws Exception {
    String name = CgroupNames.forThisJvm(COUNTER.incrementAndGet());
    String allowed = read(ownGroup("cpuset"), "cpuset.effective_cpus");
    assertThatThrownBy(() -> driver.create(name, CgroupLimits.none().withCpuset("0-4095")))
        .isInstanceOf(CgroupException.class)
        .hasMessageContaining("cpuset \"0-4095\"")
        .hasMessageContaining("\"" + allowed + "\"");
    for (String h : List.of("memory", "cpuacct", "cpuset", "pids", "freezer", "unified")) {
      assertThat(ownGroup(h).resolve(name)).doesNotExist();
    }
  }

  @Test
  void pidsLimitIsWritten() throws Exception {
    TestCgroup group = create(CgroupLimits.none().withPids(20));
    assertThat(read(dirOf(group, "pids"), "pids.max")).isEqualTo("20");
  }

  @Test
  void everyHierarchyUsedForKillingAndCountingGetsAGroupEvenWithoutLimits() throws Exception {
    TestCgroup group = create(CgroupLimits.none());
    for (String h : List.of("memory", "cpuacct", "pids", "freezer", "unified")) {
      assertThat(dirOf(group, h)).isDirectory();
    }
    assertThat(group.attachDirectories()).noneMatch(d -> d.startsWith("/sys/fs/cgroup/cpuset/"));
  }

  @Test
  void attachedProcessShowsTheGroupInEveryHierarchy() throws Exception {
    TestCgroup group = create(CgroupLimits.none().withMemory(64 * MIB).withCpus(1).withCpuset("0-1").withPids(50));
    Process sleep = sandboxes.start("sleep", "30");
    Sandboxes.attach(sleep, group);
    String cgroups = Sandboxes.procCgroup(sleep);
    for (String line : List.of(":memory:", ":cpu:", ":cpuacct:", ":cpuset:", ":pids:", ":freezer:", "0::")) {
      assertThat(cgroups.lines().filter(l -> l.contains(line)).findFirst().orElseThrow())
          .as(line)
          .endsWith("/" + group.name());
    }
    Usage usage = group.usage();
    assertThat(usage.pidsCurrent()).isEqualTo(1);
    // no memory assertion: v1 leaves a moved process's earlier charges with its old group
    assertThat(usage.oomKills()).isZero();
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
    // The quota is the feature: 20 ms per 100 ms period, a ceiling however fast or busy the machine
    // (plus one period of slack for where the reading falls in a period).
    assertThat(usage.cpuTime()).as("CPU time in %d ms", inGroup.toMillis())
        .isLessThanOrEqualTo(inGroup.dividedBy(5).plusMillis(100));
  }

  @Test
  void allocationBeyondTheMemoryLimitIsOomKilledAndCounted() throws Exception {
    TestCgroup group = create(CgroupLimits.none().withMemory(16 * MIB));
    // waits for a line on stdin, so that it is attached before it allocates
    Process hog = sandboxes.start("sh", "-c", "read go; head -c 64M /dev/zero | tail");
    Sandboxes.attach(hog, group);
    try (OutputStream in = hog.getOutputStream()) {
      in.write('\n');
    }
    assertThat(Sandboxes.dies(hog)).isTrue();
    assertThat(group.oomKills()).isGreaterThanOrEqualTo(1);
    Usage usage = group.usage();
    assertThat(usage.oomKills()).isGreaterThanOrEqualTo(1);
    assertThat(usage.memoryPeakBytes()).isGreaterThan(8 * MIB).isLessThanOrEqualTo(16 * MIB);
  }

  @Test
  void closeKillsWhatIsStillRunningAndRemovesEveryDirectory() throws Exception {
    TestCgroup group = driver.create(CgroupNames.forThisJvm(COUNTER.incrementAndGet()), CgroupLimits.none().withPids(10));
    Process parent = sandboxes.start("sh", "-c", "read go; sleep 30 & sleep 30 & wait");
    Sandboxes.attach(parent, group);
    try (OutputStream in = parent.getOutputStream()) {
      in.write('\n'); // forks its two children only once attached, so they start in the group
    }
    Sandboxes.awaitUsage(group, u -> u.pidsCurrent() == 3, "the shell and its two sleeps");
    List<ProcessHandle> sleeps = parent.toHandle().children().toList();
    assertThat(sleeps).hasSize(2);
    List<Path> dirs = group.attachDirectories();
    assertThat(dirs).hasSizeGreaterThanOrEqualTo(5);

    group.close();

    assertThat(Sandboxes.dies(parent)).isTrue();
    for (ProcessHandle sleep : sleeps) {
      assertThat(sleep.onExit()).as("sleep %d, a child of the shell", sleep.pid()).succeedsWithin(Duration.ofSeconds(5));
    }
    assertThat(dirs).allSatisfy(d -> assertThat(d).doesNotExist());
    assertThat(group.usage().pidsCurrent()).as("usage read just before removal").isGreaterThanOrEqualTo(1);
    group.close(); // idempotent
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
    assertThat(orphan.attachDirectories()).allSatisfy(d -> assertThat(d).doesNotExist());
    assertThat(ours.attachDirectories()).allSatisfy(d -> assertThat(d).isDirectory());
  }

  @Test
  void namesCarryThisJvmsPidAndStartTime() {
    String name = CgroupNames.forThisJvm(3);
    assertThat(name).matches("nsjunit-" + ProcessHandle.current().pid() + "-\\d{13}-3");
    assertThat(CgroupNames.ownerAlive(name)).isTrue();
    assertThat(CgroupNames.ownerAlive("nsjunit-999999999-1-0")).isFalse();
    assertThat(CgroupNames.ownerAlive("somebody-else")).isTrue();
  }

  private static Path ownGroup(String hierarchy) throws Exception {
    String key = hierarchy.equals("unified") ? "0::" : ":" + hierarchy + ":";
    String line =
        Files.readAllLines(Path.of("/proc/self/cgroup")).stream().filter(l -> l.contains(key)).findFirst().orElseThrow();
    String path = line.substring(line.lastIndexOf(':') + 1);
    return Path.of("/sys/fs/cgroup/" + hierarchy + path).normalize();
  }
}
