package dev.nsjunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.OperatingSystemMXBean;
import dev.nsjunit.assertj.SandboxUsageAssert;
import dev.nsjunit.testing.SandboxKit;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;

/**
 * @CgroupLimit, @ExpectOomKill, @TmpFs and @Rlimit against the real kernel of this machine.
 */
class LimitsTest {

  @Test
  void childJvmSeesItsMemoryAndCpuLimitsLikeInAContainer() {
    SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "seesLimits");
    run.assertAllPassed(1);
    assertThat(run.stdout()).contains("total=268435456").contains("cpus=1");
  }

  @Test
  void oomKilledTestFailsWithLimitAndPeakInMessage() {
    Throwable t =
        SandboxKit.runMethod(Cases.class, "allocatesOffHeapUntilKilled")
            .failureOf("allocatesOffHeapUntilKilled");
    assertThat(t).isInstanceOf(OomKilledException.class);
    assertThat(t.getMessage())
        .contains(
            "the child JVM of Cases.allocatesOffHeapUntilKilled() was killed by the kernel OOM killer:"
                + " memory limit 64 MiB, peak 6");
    assertThat(((OomKilledException) t).limitBytes()).isEqualTo(64L << 20);
    assertThat(((OomKilledException) t).peakBytes()).isGreaterThan(60L << 20);
  }

  @Test
  void expectOomKillPassesOnlyWhenTheKernelKilled() {
    SandboxKit.Run run = SandboxKit.run(ExpectCases.class);
    run.results().testEvents().assertStatistics(s -> s.started(2));
    assertThat(run.resultOf("growsWithoutBound").getStatus())
        .isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
    assertThat(run.failureOf("staysSmall"))
        .isInstanceOf(org.opentest4j.AssertionFailedError.class)
        .hasMessageContaining(
            "expected the kernel OOM killer to kill a process in the sandbox of ExpectCases.staysSmall()")
        .hasMessageContaining("(@ExpectOomKill), but none was killed: memory limit 64 MiB, peak");
  }

  @Test
  void oomKillOfAHelperProcessIsReportedWithoutHidingTheTestsOutcome() {
    SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "helperGetsKilled");
    run.assertAllPassed(1);
    assertThat(run.reportEntries()).containsEntry("nsjunit.oom.kills", "1");
  }

  @Test
  void usageIsPublishedAsReportEntries() {
    Map<String, String> entries = SandboxKit.runMethod(Cases.class, "seesLimits").reportEntries();
    assertThat(Long.parseLong(entries.get("nsjunit.memory.peak.bytes"))).isGreaterThan(1 << 20);
    assertThat(Long.parseLong(entries.get("nsjunit.cpu.time.ms"))).isGreaterThan(0);
    assertThat(entries)
        .containsEntry("nsjunit.oom.kills", "0")
        .containsKey("nsjunit.cpu.throttled.ms");
  }

  @Test
  void pidsLimitStopsAForkBomb() {
    SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "forkBomb");
    run.assertAllPassed(1);
  }

  @Test
  void fullTmpFsGivesNoSpaceLeftInsideOnlyAndLeavesNoMountPoint() {
    Path mountPoint = Path.of("/nsjunit-test-data");
    SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "fillsTheDisk");
    run.assertAllPassed(1);
    assertThat(mountPoint).doesNotExist();
  }

  /**
   * A tmpfs over /tmp also covers nsjunit's own directory there (the channel socket, the hosts
   * file): that directory stays visible in the sandbox, so the test runs (it used to time out at
   * boot), and the host's /tmp is untouched.
   */
  @Test
  void tmpFsOverTmpWorksAndLeavesTheHostsTmpAlone() {
    SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "privateTmp");
    run.assertAllPassed(1);
    assertThat(run.stdout()).contains("/tmp is a tmpfs of 16384k");
    assertThat(Path.of("/tmp/nsjunit-private-tmp-marker")).doesNotExist();
  }

  /** A tmpfs that would hide what the child JVM needs fails before anything starts, naming both. */
  @Test
  void tmpFsOverTheChildJvmFailsBeforeStartNamingTheClash() {
    SandboxFailedException t =
        SandboxKit.runMethod(Cases.class, "hidesTheJdk").sandboxFailureOf("hidesTheJdk");
    assertThat(t)
        .hasMessageStartingWith(
            "@TmpFs(path = \"/usr\") would hide the child JVM's java executable "
                + Path.of(System.getProperty("java.home"), "bin", "java"))
        .hasMessageContaining("choose another path");
    assertThat(t.reason()).isEqualTo(SandboxFailedException.Reason.SETUP_FAILED);
  }

  @Test
  void nofileRlimitReproducesTooManyOpenFiles() {
    SandboxKit.runMethod(Cases.class, "opensTooManyFiles").assertAllPassed(1);
  }

  @Test
  void testReadsItsOwnLiveUsageWithAssertjStyleChecks() {
    SandboxKit.runMethod(UsageCases.class, "starvedOnAFifthOfACpu").assertAllPassed(1);
    Throwable t =
        SandboxKit.runMethod(UsageCases.class, "claimsToBeTiny").failureOf("claimsToBeTiny");
    assertThat(t)
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Expected the sandbox's memory peak to be below 1 MiB but it was");
  }

  @Test
  void liveUsageOutsideASandboxSaysWhatIsMissing() {
    assertThatThrownBy(SandboxUsage::current)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("@CgroupLimit");
  }

  static class UsageCases {
    @org.junit.jupiter.api.Test
    @CgroupLimit(memory = "256M", cpus = "0.2")
    void starvedOnAFifthOfACpu() {
      long end = System.nanoTime() + 1_500_000_000L;
      long x = 0;
      while (System.nanoTime() < end) {
        x += System.identityHashCode(new Object());
      }
      SandboxUsage usage = SandboxUsage.current();
      System.out.println("usage " + usage + " " + x);
      SandboxUsageAssert.assertThat(usage)
          .wasThrottled()
          .hasNoOomKills()
          .hasMemoryPeakBelow("256M")
          .hasPidsAtMost(100);
      assertThat(usage.cpuTime()).isPositive();
    }

    @org.junit.jupiter.api.Test
    @CgroupLimit(memory = "256M")
    void claimsToBeTiny() {
      SandboxUsageAssert.assertThat(SandboxUsage.current()).hasMemoryPeakBelow("1M");
    }
  }

  static class Cases {
    @org.junit.jupiter.api.Test
    @CgroupLimit(memory = "256M", cpus = "1")
    void seesLimits() {
      OperatingSystemMXBean os =
          (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      System.out.println(
          "total="
              + os.getTotalMemorySize()
              + " cpus="
              + Runtime.getRuntime().availableProcessors()
              + " maxHeap="
              + Runtime.getRuntime().maxMemory());
      assertThat(os.getTotalMemorySize()).isEqualTo(256L << 20);
      assertThat(Runtime.getRuntime().availableProcessors()).isEqualTo(1);
      assertThat(Runtime.getRuntime().maxMemory()).isLessThanOrEqualTo(256L << 20);
    }

    @org.junit.jupiter.api.Test
    @CgroupLimit(memory = "64M")
    void allocatesOffHeapUntilKilled() throws Exception {
      touchOffHeap(256L << 20);
    }

    @org.junit.jupiter.api.Test
    @CgroupLimit(memory = "128M")
    void helperGetsKilled() throws Exception {
      Process hog =
          new ProcessBuilder("python3", "-c", "b = bytearray(400 << 20); print(len(b))").start();
      assertThat(hog.waitFor()).isEqualTo(137); // SIGKILL from the OOM killer
    }

    @org.junit.jupiter.api.Test
    @CgroupLimit(pids = 64)
    void forkBomb() {
      List<Process> started = new ArrayList<>();
      // Depending on what needs the next task first, fork fails (IOException) or the JVM's thread
      // for watching the new process cannot start (OutOfMemoryError: unable to create native
      // thread).
      assertThatThrownBy(
              () -> {
                for (int i = 0; i < 200; i++) {
                  started.add(new ProcessBuilder("sleep", "60").start());
                }
              })
          .isInstanceOfAny(IOException.class, OutOfMemoryError.class);
      assertThat(started.size()).isLessThan(64);
    }

    @org.junit.jupiter.api.Test
    @TmpFs(path = "/nsjunit-test-data", size = "8M")
    void fillsTheDisk() throws Exception {
      Path file = Path.of("/nsjunit-test-data/big");
      assertThatThrownBy(
              () -> {
                try (OutputStream out = Files.newOutputStream(file)) {
                  byte[] mb = new byte[1 << 20];
                  for (int i = 0; i < 9; i++) {
                    out.write(mb);
                  }
                }
              })
          .isInstanceOf(IOException.class)
          .hasMessageContaining("No space left on device");
    }

    @org.junit.jupiter.api.Test
    @TmpFs(path = "/tmp", size = "16M")
    @Hostname("private-tmp")
    void privateTmp() throws Exception {
      Files.writeString(Path.of("/tmp/nsjunit-private-tmp-marker"), "inside only");
      String tmp =
          Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
              .filter(l -> l.split(" ")[4].equals("/tmp") && l.contains(" - tmpfs "))
              .reduce((a, b) -> b)
              .orElse("none");
      System.out.println("/tmp is a tmpfs of " + tmp.replaceAll(".*size=(\\d+k).*", "$1"));
    }

    @org.junit.jupiter.api.Test
    @TmpFs(path = "/usr", size = "1M")
    void hidesTheJdk() {}

    @org.junit.jupiter.api.Test
    @Rlimit(nofile = 64)
    void opensTooManyFiles() {
      List<java.io.InputStream> open = new ArrayList<>();
      try {
        assertThatThrownBy(
                () -> {
                  for (int i = 0; i < 100; i++) {
                    open.add(Files.newInputStream(Path.of("/proc/self/status")));
                  }
                })
            .hasMessageContaining("Too many open files");
      } finally {
        for (java.io.InputStream in : open) {
          try {
            in.close();
          } catch (IOException ignored) {
            // closing what we could open
          }
        }
      }
    }
  }

  @CgroupLimit(memory = "64M")
  @ExpectOomKill
  static class ExpectCases {
    @org.junit.jupiter.api.Test
    void growsWithoutBound() throws Exception {
      touchOffHeap(256L << 20);
    }

    @org.junit.jupiter.api.Test
    void staysSmall() {}
  }

  /**
   * Allocates native memory outside the Java heap and touches every page, as a leaking JNI library
   * would.
   */
  static void touchOffHeap(long bytes) throws Exception {
    Field f = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
    f.setAccessible(true);
    sun.misc.Unsafe unsafe = (sun.misc.Unsafe) f.get(null);
    long chunk = 8L << 20;
    for (long done = 0; done < bytes; done += chunk) {
      long address = unsafe.allocateMemory(chunk);
      unsafe.setMemory(address, chunk, (byte) 1);
    }
  }
}
