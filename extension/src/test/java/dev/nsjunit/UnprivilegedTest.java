package dev.nsjunit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.testing.TestJvm;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A machine where the test JVM cannot create namespaces: simulated for real by starting the test
 * JVM without CAP_SYS_ADMIN (util-linux setpriv drops it from the bounding set).
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

  @Test
  void everyIsolatedTestFailsWithWhatIsMissingAndHowToGetIt() throws Exception {
    String out = run();
    assertThat(out.lines().filter(l -> l.startsWith("test ")).map(l -> l.split(" ")[1])).containsExactlyInAnyOrder("one()", "two()");
    assertThat(out.lines().filter(l -> l.startsWith("test ")))
        .hasSize(2)
        .allSatisfy(line -> assertThat(line)
            .contains("FAILED dev.nsjunit.SandboxFailedException: nsjunit cannot create Linux namespaces here")
            .contains("Operation not permitted")
            .contains("CAP_SYS_ADMIN")
            .contains("nsjunit.unprivileged=skip"));
  }

  @Test
  void unprivilegedSkipTurnsTheFailureIntoAnAbortWithTheSameReason() throws Exception {
    String out = run("nsjunit.unprivileged=skip");
    assertThat(out.lines().filter(l -> l.startsWith("test ")).map(l -> l.split(" ")[1])).containsExactlyInAnyOrder("one()", "two()");
    assertThat(out.lines().filter(l -> l.startsWith("test ")))
        .hasSize(2)
        .allSatisfy(line -> assertThat(line).contains("ABORTED org.opentest4j.TestAbortedException: nsjunit cannot create Linux namespaces here")
            .contains("Operation not permitted"));
  }

  static class Cases {
    @org.junit.jupiter.api.Test
    @FreshPid
    void one() {}

    @org.junit.jupiter.api.Test
    @IsolatedNetns
    void two() {}
  }
}
