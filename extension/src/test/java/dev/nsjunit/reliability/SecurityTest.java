package dev.nsjunit.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsjunit.CgroupLimit;
import dev.nsjunit.FreshPid;
import dev.nsjunit.internal.launch.RunDirectory;
import dev.nsjunit.testing.SandboxKit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Private files are private, and a sandboxed test cannot reach out of its sandbox. */
class SecurityTest {

  @Test
  void privateDirectoriesAreOwnerOnlyAndSocketsAreOwnerReadWrite() throws Exception {
    SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "listsChannelSockets");
    run.assertAllPassed(1);
    Path runDir = RunDirectory.get().path();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(runDir, LinkOption.NOFOLLOW_LINKS))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(runDir.getParent(), LinkOption.NOFOLLOW_LINKS))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(runDir.resolve("nsjunit-launch")))).isEqualTo("rwx------");
    // The sandbox looked at the channel socket while it was connected: it is gone from the
    // directory (removed right after the one accept), so no other process can connect to it.
    assertThat(run.stdout()).contains("sockets in the run directory: 0");
  }

  @Test
  void sandboxCannotWriteOutsideItsCgroup() {
    SandboxKit.runMethod(Cases.class, "triesToRaiseItsOwnLimit").assertAllPassed(1);
  }

  @Test
  void launcherIsNotSetuid() throws Exception {
    Path launcher = RunDirectory.get().path().resolve("nsjunit-launch");
    SandboxKit.runMethod(Cases.class, "listsChannelSockets");
    assertThat(Files.getAttribute(launcher, "unix:mode")).satisfies(mode -> assertThat(((Integer) mode) & 06000).isZero());
  }

  static class Cases {
    @org.junit.jupiter.api.Test
    @FreshPid
    void listsChannelSockets() throws IOException {
      Path runDir = Path.of(System.getProperty("java.io.tmpdir"));
      long sockets;
      try (Stream<Path> users = Files.list(Path.of("/tmp"))) {
        sockets = users.filter(p -> p.getFileName().toString().startsWith("nsjunit-"))
            .flatMap(SecurityTest::walk).filter(p -> p.toString().endsWith(".sock")).count();
      }
      System.out.println("sockets in the run directory: " + sockets + " (" + runDir + ")");
    }

    @org.junit.jupiter.api.Test
    @CgroupLimit(memory = "128M")
    void triesToRaiseItsOwnLimit() {
      assertThatThrownBy(() -> Files.writeString(Path.of("/sys/fs/cgroup/memory/memory.limit_in_bytes"), "9999999999"))
          .isInstanceOf(IOException.class).hasMessageContaining("Read-only file system");
    }
  }

  static Stream<Path> walk(Path p) {
    try {
      return Files.walk(p).toList().stream();
    } catch (IOException e) {
      return Stream.empty();
    }
  }
}
