package dev.nsjunit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.testing.TestJvm;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Where no cgroup can take a test's limits (here: every cgroup hierarchy remounted read-only in a
 * private mount namespace of the test JVM), only the limited tests fail, with the full reason once
 * per class; the class's other isolated tests run; {@code nsjunit.unprivileged=skip} skips the
 * limited ones instead. A limited test never runs without its limits.
 */
class LimitsUnavailableTest {
  private static final String READ_ONLY_CGROUPS =
      "for m in $(awk '$9 ~ /^cgroup/ {print $5}' /proc/self/mountinfo); do mount -o remount,bind,ro \"$m\" || exit 1; done";

  private static List<String> run(String... properties) throws Exception {
    Process p =
        TestJvm.fixture(
                Cases.class,
                List.of(
                    "unshare", "--mount", "sh", "-c", READ_ONLY_CGROUPS + " && exec \"$@\"", "sh"),
                properties)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return out.lines().filter(l -> l.startsWith("test ")).sorted().toList();
  }

  @Test
  void onlyLimitedTestsFailAndTheReasonIsGivenOncePerClass() throws Exception {
    List<String> results = run();
    assertThat(results).hasSize(3);
    assertThat(results.get(0))
        .startsWith(
            "test firstLimited() FAILED dev.nsjunit.SandboxFailedException:"
                + " the cgroup limits of this test could not be applied, so it was not started:")
        .contains("Read-only file system");
    assertThat(results.get(1)).isEqualTo("test isolatedWithoutLimits() SUCCESSFUL ");
    assertThat(results.get(2))
        .isEqualTo(
            "test secondLimited() FAILED dev.nsjunit.SandboxFailedException: the cgroup"
                + " limits of this test could not be applied, so it was not started: for the same reason as"
                + " Cases.firstLimited() in this class (its failure says why and how to fix it)");
  }

  @Test
  void unprivilegedSkipSkipsTheLimitedTestsWithTheReason() throws Exception {
    List<String> results = run("nsjunit.unprivileged=skip");
    assertThat(results).hasSize(3);
    assertThat(results.get(0))
        .startsWith(
            "test firstLimited() ABORTED org.opentest4j.TestAbortedException: the cgroup"
                + " limits of this test could not be applied")
        .contains("Read-only file system")
        .endsWith("(skipped: nsjunit.unprivileged=skip)");
    assertThat(results.get(1)).isEqualTo("test isolatedWithoutLimits() SUCCESSFUL ");
    assertThat(results.get(2))
        .startsWith("test secondLimited() ABORTED")
        .contains("Read-only file system");
  }

  @org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.MethodName.class)
  static class Cases {
    @Test
    @CgroupLimit(memory = "64M")
    void firstLimited() {
      throw new AssertionError("must never run without its limit");
    }

    @Test
    @FreshPid
    void isolatedWithoutLimits() {
      assertThat(ProcessHandle.current().pid()).isEqualTo(2);
    }

    @Test
    @CgroupLimit(pids = 32)
    void secondLimited() {
      throw new AssertionError("must never run without its limit");
    }
  }
}
