package dev.nsjunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.AllCapabilities;
import dev.nsjunit.FreshPid;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A sandboxed test runs as root without the capabilities that would undo its isolation: it cannot
 * mount or unmount anything (its /proc, its /etc/hosts). A test that needs to, says so.
 */
class AllCapabilitiesSample {

  static int mountTmpfsOnMnt() throws Exception {
    return new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "scratch", "/mnt")
        .inheritIO()
        .start()
        .waitFor();
  }

  @Test
  @FreshPid
  void byDefaultATestCannotMount() throws Exception {
    assertThat(mountTmpfsOnMnt()).isNotZero(); // "must be superuser": CAP_SYS_ADMIN is not there
  }

  @Test
  @AllCapabilities
  void withAllCapabilitiesItCan() throws Exception {
    assertThat(mountTmpfsOnMnt()).isZero();
    // In the sandbox's own mount namespace: the machine's /mnt is untouched.
    assertThat(Files.readString(Path.of("/proc/self/mountinfo")))
        .contains(" /mnt ")
        .contains(" - tmpfs scratch ");
  }
}
