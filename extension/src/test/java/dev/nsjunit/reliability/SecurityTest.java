package dev.nsjunit.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsjunit.CgroupLimit;
import dev.nsjunit.FreshPid;
import dev.nsjunit.SandboxFailedException;
import dev.nsjunit.internal.run.RunDirectory;
import dev.nsjunit.testing.SandboxKit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Private files are private, and a sandboxed test cannot reach out of its sandbox. */
class SecurityTest {

  @Test
  void privateDirectoriesAreOwnerOnlyAndSocketsAreOwnerReadWrite() throws Exception {
    SandboxKit.Run run = listChannelSockets();
    Path runDir = RunDirectory.get().path();
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(runDir, LinkOption.NOFOLLOW_LINKS)))
        .isEqualTo("rwx------");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(runDir.getParent(), LinkOption.NOFOLLOW_LINKS)))
        .isEqualTo("rwx------");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(runDir.resolve("nsjunit-launch"))))
        .isEqualTo("rwx------");
    // The sandbox looked for its own channel socket while it was connected: it is gone from the
    // directory (removed right after the one accept), so no other process can connect to it.
    assertThat(run.stdout())
        .contains("channel socket " + runDir + "/s")
        .contains(".sock exists: false")
        .contains("sockets in the run directory: 0");
  }

  /** Runs the fixture that looks at this JVM's run directory from inside its sandbox. */
  private static SandboxKit.Run listChannelSockets() {
    return SandboxKit.runMethodWithProperties(
            Cases.class,
            "listsChannelSockets",
            Map.of("fixture.runDir", RunDirectory.get().path().toString()))
        .assertAllPassed(1);
  }

  @Test
  void sandboxCannotWriteOutsideItsCgroup() {
    SandboxKit.runMethod(Cases.class, "triesToRaiseItsOwnLimit").assertAllPassed(1);
  }

  @Test
  void launcherIsNotSetuid() throws Exception {
    listChannelSockets(); // a sandbox ran: the launcher it used is the extracted copy checked here
    Path launcher = RunDirectory.get().path().resolve("nsjunit-launch");
    assertThat(launcher).isRegularFile().isExecutable();
    assertThat(Files.getAttribute(launcher, "unix:mode"))
        .satisfies(mode -> assertThat(((Integer) mode) & 06000).isZero());
  }

  /**
   * Another process that connects to a test's channel cannot drive it: the child JVM is started
   * through a wrapper (nsjunit.java) that replaces the sandbox's token, its last argument, with a
   * guessed one. The parent refuses that hello; the test body never runs.
   */
  @Test
  void aChildPresentingAnotherTokenIsRefusedAndItsTestNeverRuns(@TempDir Path dir)
      throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path wrapper = dir.resolve("java-with-another-token");
    Files.writeString(
        wrapper,
        "#!/bin/bash\nexec " + java + " \"${@:1:$#-1}\" 0123456789abcdef0123456789abcdef\n");
    Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
    Path ran = dir.resolve("test-body-ran");
    SandboxFailedException t =
        SandboxKit.withProperties(
                Map.of("fixture.ran", ran.toString()),
                () -> SandboxKit.run(TokenCases.class, Map.of("nsjunit.java", wrapper.toString())))
            .sandboxFailureOf("connects");
    assertThat(t.reason()).isEqualTo(SandboxFailedException.Reason.CHANNEL_BROKEN);
    assertThat(t.getMessage())
        .contains(
            "the channel from the sandbox of TokenCases.connects() broke:"
                + " the child presented the wrong token; another process connected to this test's channel");
    assertThat(ran).as("the test body, run on a channel with the wrong token").doesNotExist();
  }

  static class TokenCases {
    @org.junit.jupiter.api.Test
    @FreshPid
    void connects() throws IOException {
      Files.writeString(Path.of(System.getProperty("fixture.ran")), "ran");
    }
  }

  static class Cases {
    @org.junit.jupiter.api.Test
    @FreshPid
    void listsChannelSockets() throws IOException {
      // The parent's run directory (other JVMs' sockets, of concurrent builds, are not ours to
      // count).
      Path runDir = Path.of(System.getProperty("fixture.runDir"));
      assertThat(runDir).as("the parent's run directory, seen from the sandbox").isDirectory();
      // This JVM's channel: the socket path on its command line (ChildMain's first argument).
      String[] args = ProcessHandle.current().info().arguments().orElseThrow();
      Path socket =
          Path.of(
              java.util.Arrays.stream(args)
                  .filter(a -> a.endsWith(".sock"))
                  .findFirst()
                  .orElseThrow());
      assertThat(socket.getParent()).isEqualTo(runDir);
      System.out.println(
          "channel socket "
              + socket
              + " exists: "
              + Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
      long sockets;
      try (Stream<Path> files = Files.list(runDir)) {
        sockets = files.filter(p -> p.toString().endsWith(".sock")).count();
      }
      System.out.println("sockets in the run directory: " + sockets + " (" + runDir + ")");
    }

    @org.junit.jupiter.api.Test
    @CgroupLimit(memory = "128M")
    void triesToRaiseItsOwnLimit() {
      assertThatThrownBy(
              () ->
                  Files.writeString(
                      Path.of("/sys/fs/cgroup/memory/memory.limit_in_bytes"), "9999999999"))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("Read-only file system");
    }
  }
}
