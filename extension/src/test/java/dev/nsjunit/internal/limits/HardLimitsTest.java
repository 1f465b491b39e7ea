package dev.nsjunit.internal.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.internal.namespaces.Capabilities;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The @Rlimit check an ordinary user gets before start, against a recorded /proc/self/limits. */
class HardLimitsTest {
  /** This project's CI machine, as uid 65534 (hard nofile 20000, core unlimited). */
  private static final String LIMITS =
      """
      Limit                     Soft Limit           Hard Limit           Units
      Max cpu time              unlimited            unlimited            seconds
      Max core file size        0                    unlimited            bytes
      Max processes             96362                96362                processes
      Max open files            20000                20000                files
      """;

  @Test
  void aValueAboveTheHardLimitIsRefusedNamingTheAttributeTheLimitAndTheFix(@TempDir Path dir)
      throws Exception {
    Path limits = Files.writeString(dir.resolve("limits"), LIMITS);
    assertThat(HardLimits.refused(Map.of("nofile", 20001L), limits))
        .hasValueSatisfying(
            m ->
                assertThat(m)
                    .isEqualTo(
                        "@Rlimit(nofile = 20001) is above this JVM's hard limit of 20000 open files, and without"
                            + " CAP_SYS_RESOURCE (root) a hard limit can only be lowered: use a value of at most 20000, or raise the hard"
                            + " limit of whatever starts the tests (ulimit -Hn, LimitNOFILE= of a systemd unit, /etc/security/limits.conf)"));
    assertThat(HardLimits.refused(Map.of("nproc", 100000L), limits))
        .hasValueSatisfying(
            m ->
                assertThat(m)
                    .startsWith(
                        "@Rlimit(nproc = 100000) is above this JVM's hard limit of 96362 processes"));
  }

  @Test
  void valuesUpToTheHardLimitAndUnderAnUnlimitedOneAreAllowed(@TempDir Path dir) throws Exception {
    Path limits = Files.writeString(dir.resolve("limits"), LIMITS);
    assertThat(HardLimits.refused(Map.of("nofile", 20000L, "nproc", 64L), limits)).isEmpty();
    assertThat(HardLimits.refused(Map.of("core", 1L << 40), limits)).isEmpty();
  }

  @Test
  void capabilitiesAreReadFromTheEffectiveSet(@TempDir Path dir) throws Exception {
    // root: all 41 capabilities; uid 65534 after setpriv: none; root without CAP_SYS_ADMIN (bit
    // 21).
    Path root =
        Files.writeString(
            dir.resolve("root"),
            "Name:\tjava\nCapInh:\t0000000000000000\nCapEff:\t000001ffffffffff\n");
    Path nobody =
        Files.writeString(dir.resolve("nobody"), "Name:\tjava\nCapEff:\t0000000000000000\n");
    Path noSysAdmin = Files.writeString(dir.resolve("no-sys-admin"), "CapEff:\t000001ffffdfffff\n");
    assertThat(Capabilities.effective(Capabilities.CAP_SYS_ADMIN, root)).isTrue();
    assertThat(Capabilities.effective(Capabilities.CAP_SYS_ADMIN, nobody)).isFalse();
    assertThat(Capabilities.effective(Capabilities.CAP_SYS_ADMIN, noSysAdmin)).isFalse();
    assertThat(Capabilities.effective(Capabilities.CAP_SYS_RESOURCE, noSysAdmin)).isTrue();
  }
}
