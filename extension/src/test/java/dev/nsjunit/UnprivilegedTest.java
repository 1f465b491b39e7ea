package dev.nsjunit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.testing.TestJvm;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A test JVM without CAP_SYS_ADMIN, for real (util-linux setpriv drops it from the bounding set):
 * by default its sandboxes get a user namespace of their own and run; with nsjunit.userns=never it
 * is a machine where namespaces cannot be created.
 */
class UnprivilegedTest {
  private static final List<String> WITHOUT_CAP_SYS_ADMIN =
      List.of("setpriv", "--bounding-set=-sys_admin", "--inh-caps=-sys_admin", "--");

  private static String run(String... properties) throws Exception {
    Process p = TestJvm.fixture(Cases.class, WITHOUT_CAP_SYS_ADMIN, properties).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  /** The result lines ("test one() SUCCESSFUL") of the fixture, which must be one() and two(). */
  private static List<String> resultsOfOneAndTwo(String out) {
    List<String> results = out.lines().filter(l -> l.startsWith("test ")).toList();
    assertThat(results).map(l -> l.split(" ")[1]).containsExactlyInAnyOrder("one()", "two()");
    return results;
  }

  @Test
  void withoutCapSysAdminIsolatedTestsRunInAUserNamespaceOfTheirOwn() throws Exception {
    String out = run("fixture.expectUserNamespace=true");
    assertThat(resultsOfOneAndTwo(out)).allSatisfy(line -> assertThat(line).contains("SUCCESSFUL"));
  }

  @Test
  void everyIsolatedTestFailsWithWhatIsMissingAndHowToGetIt() throws Exception {
    String out = run("nsjunit.userns=never");
    assertThat(resultsOfOneAndTwo(out))
        .allSatisfy(
            line ->
                assertThat(line)
                    .contains(
                        "FAILED dev.nsjunit.SandboxFailedException: nsjunit cannot create Linux namespaces here")
                    .contains("Operation not permitted")
                    .contains("CAP_SYS_ADMIN")
                    .contains("nsjunit.unprivileged=skip")
                    .contains("nsjunit.userns=never forbids a user namespace"));
  }

  @Test
  void unprivilegedSkipTurnsTheFailureIntoAnAbortWithTheSameReason() throws Exception {
    String out = run("nsjunit.unprivileged=skip", "nsjunit.userns=never");
    assertThat(resultsOfOneAndTwo(out))
        .allSatisfy(
            line ->
                assertThat(line)
                    .contains(
                        "ABORTED org.opentest4j.TestAbortedException: nsjunit cannot create Linux namespaces here")
                    .contains("Operation not permitted"));
  }

  static class Cases {
    @org.junit.jupiter.api.Test
    @FreshPid
    void one() throws Exception {
      inUserNamespaceWhenExpected();
    }

    @org.junit.jupiter.api.Test
    @IsolatedNetns
    void two() throws Exception {
      inUserNamespaceWhenExpected();
    }

    /**
     * Root stays root, but only its own uid is mapped: "0 0 1", not the initial namespace's full
     * range.
     */
    private static void inUserNamespaceWhenExpected() throws Exception {
      if (Boolean.getBoolean("fixture.expectUserNamespace")) {
        org.assertj.core.api.Assertions.assertThat(
                java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/uid_map"))
                    .trim()
                    .split("\\s+"))
            .containsExactly("0", "0", "1");
      }
    }
  }
}
