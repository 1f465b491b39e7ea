package dev.nsjunit.internal.limits.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
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
 * What every cgroup driver must do, against this machine's real cgroups: the fixture and the tests
 * {@link V1DriverTest} and {@link V2DriverTest} share. Each subclass runs only where {@link
 * CgroupDriver#detect()} picks its driver (the others abort), and adds its own tests. The inherited
 * tests run when a subclass is selected by name, as .ci/cgroup2-vm-tests does.
 */
abstract class CgroupDriverContract {
  private static final AtomicInteger COUNTER = new AtomicInteger(1000);
  static final long MIB = 1024 * 1024;

  CgroupDriver driver;
  private final List<TestCgroup> groups = new ArrayList<>();
  final Sandboxes sandboxes = new Sandboxes();

  /**
   * The driver this test class is about: its tests abort on hosts where another one is detected.
   */
  abstract Class<? extends CgroupDriver> driverType();

  @BeforeEach
  void detect() throws CgroupException {
    driver = CgroupDriver.detect();
    assumeTrue(
        driverType().isInstance(driver),
        "this host's driver is not a " + driverType().getSimpleName() + ": " + driver.describe());
  }

  @AfterEach
  void cleanUp() throws InterruptedException {
    sandboxes.destroyAll();
    for (TestCgroup g : groups) {
      g.close();
      assertThat(g.attachDirectories()).allSatisfy(dir -> assertThat(dir).doesNotExist());
    }
  }

  /** A group of this JVM, closed (and checked gone) after the test. */
  TestCgroup create(CgroupLimits limits) throws CgroupException {
    TestCgroup group = driver.create(newName(), limits);
    groups.add(group);
    return group;
  }

  /** A name for a group of this JVM no other test uses. */
  static String newName() {
    return CgroupNames.forThisJvm(COUNTER.incrementAndGet());
  }

  static String read(Path dir, String file) throws Exception {
    return Files.readString(dir.resolve(file)).strip();
  }

  @Test
  void busyLoopUsesCpuTimeAndIsThrottledByItsQuota() throws Exception {
    TestCgroup group = create(CgroupLimits.none().withCpus(0.2));
    Process busy = sandboxes.start("sh", "-c", "while :; do :; done");
    long attached =
        System.nanoTime(); // usage is charged to the group from here on, at the earliest
    Sandboxes.attach(busy, group);
    Usage usage =
        Sandboxes.awaitUsage(
            group,
            u ->
                u.throttledTime().compareTo(Duration.ZERO) > 0
                    && u.cpuTime().compareTo(Duration.ofMillis(100)) > 0,
            "100 ms of CPU time and some throttling");
    Duration inGroup = Duration.ofNanos(System.nanoTime() - attached);
    // The quota is the feature: 20 ms per 100 ms period, a ceiling however fast or busy the machine
    // (plus one period of slack for where the reading falls in a period).
    assertThat(usage.cpuTime())
        .as("CPU time in %d ms", inGroup.toMillis())
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
  void sweepRemovesTheGroupOfADeadJvmAndKillsItsProcess() throws Exception {
    Process gone = sandboxes.start("sleep", "30");
    String deadOwner = CgroupNames.ownerTag(gone.toHandle());
    gone.destroyForcibly();
    gone.waitFor();
    TestCgroup orphan =
        driver.create("nsjunit-" + deadOwner + "-7", CgroupLimits.none().withMemory(32 * MIB));
    TestCgroup ours = create(CgroupLimits.none());
    Process left = sandboxes.start("sleep", "30");
    Sandboxes.attach(left, orphan);

    assertThat(driver.sweepOrphans()).isGreaterThanOrEqualTo(1);

    assertThat(Sandboxes.dies(left)).isTrue();
    assertThat(orphan.attachDirectories())
        .isNotEmpty()
        .allSatisfy(d -> assertThat(d).doesNotExist());
    assertThat(ours.attachDirectories()).isNotEmpty().allSatisfy(d -> assertThat(d).isDirectory());
  }

  /**
   * The body of each driver's close test (their names differ, and CI counts them by name): a shell
   * that forks two sleeps once attached; {@code close()} kills all three and removes the group's
   * directories, at least {@code minDirectories} of them, and its usage stays readable.
   */
  void assertCloseKillsWhatIsStillRunningAndRemovesEveryDirectory(
      CgroupLimits limits, int minDirectories) throws Exception {
    TestCgroup group = driver.create(newName(), limits);
    Process parent = sandboxes.start("sh", "-c", "read go; sleep 30 & sleep 30 & wait");
    Sandboxes.attach(parent, group);
    try (OutputStream in = parent.getOutputStream()) {
      in.write('\n'); // forks its two children only once attached, so they start in the group
    }
    Sandboxes.awaitUsage(group, u -> u.pidsCurrent() == 3, "the shell and its two sleeps");
    List<ProcessHandle> sleeps = parent.toHandle().children().toList();
    assertThat(sleeps).hasSize(2);
    List<Path> dirs = group.attachDirectories();
    assertThat(dirs).hasSizeGreaterThanOrEqualTo(minDirectories);

    group.close();

    assertThat(Sandboxes.dies(parent)).isTrue();
    for (ProcessHandle sleep : sleeps) {
      assertThat(sleep.onExit())
          .as("sleep %d, a child of the shell", sleep.pid())
          .succeedsWithin(Duration.ofSeconds(5));
    }
    assertThat(dirs).allSatisfy(d -> assertThat(d).doesNotExist());
    assertThat(group.usage().pidsCurrent())
        .as("usage read just before removal")
        .isGreaterThanOrEqualTo(1);
    group.close(); // idempotent
  }
}
