package dev.nsjunit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.CgroupLimit;
import dev.nsjunit.FreshPid;
import dev.nsjunit.testing.SandboxKit;
import dev.nsjunit.testing.TestJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broken environment gives a clear error, never a hang or a generic failure. */
class MisconfigurationTest {

  private static Throwable failureWith(Map<String, String> config) {
    return SandboxKit.run(Cases.class, config).failureOf("isolated");
  }

  /**
   * Runs the fixture in its own JVM inside a private mount namespace prepared by {@code script}.
   */
  private static String runIn(String script, Class<?> fixture, String... properties)
      throws Exception {
    Process p =
        TestJvm.fixture(
                fixture,
                List.of("unshare", "--mount", "sh", "-c", script + " && exec \"$@\"", "sh"),
                properties)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  @Test
  void missingLauncherBinaryIsAClearSetupError() {
    Throwable t = failureWith(Map.of("nsjunit.launcher", "/nonexistent/nsjunit-launch"));
    assertThat(t)
        .hasMessageContaining(
            "nsjunit.launcher=\"/nonexistent/nsjunit-launch\" is not an executable file");
  }

  @Test
  void launcherWithoutExecutePermissionIsAClearSetupError(@TempDir Path dir) throws Exception {
    Path launcher = Files.writeString(dir.resolve("nsjunit-launch"), "not executable");
    Throwable t = failureWith(Map.of("nsjunit.launcher", launcher.toString()));
    assertThat(t)
        .hasMessageContaining("nsjunit.launcher=\"" + launcher + "\" is not an executable file");
  }

  @Test
  void fullTemporaryDirectoryIsAClearSetupError() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "nsj-full");
    try {
      // The launcher from the jar, even where this JVM was given one: extracting it is what fails.
      String out =
          runIn(
              "mount -t tmpfs -o size=4k tmpfs " + dir,
              Cases.class,
              "java.io.tmpdir=" + dir,
              "nsjunit.launcher=");
      assertThat(out)
          .contains("test isolated() FAILED")
          .contains("could not extract the nsjunit launcher")
          .contains("No space left on device")
          .contains("is the temporary directory full or read-only?");
    } finally {
      Files.deleteIfExists(dir);
    }
  }

  @Test
  void readOnlyCgroupTreeFailsALimitedTestBeforeItStarts() throws Exception {
    String remountAllReadOnly =
        "for m in $(awk '$9 ~ /^cgroup/ {print $5}' /proc/self/mountinfo); do mount -o remount,bind,ro \"$m\" || exit 1; done";
    String out = runIn(remountAllReadOnly, LimitedCases.class);
    assertThat(out)
        .contains("test limited() FAILED")
        .contains("the cgroup limits of this test could not be applied, so it was not started")
        .contains("Read-only file system");
  }

  static class Cases {
    @org.junit.jupiter.api.Test
    @FreshPid
    void isolated() {}
  }

  static class LimitedCases {
    @org.junit.jupiter.api.Test
    @CgroupLimit(pids = 50)
    void limited() {}
  }
}
