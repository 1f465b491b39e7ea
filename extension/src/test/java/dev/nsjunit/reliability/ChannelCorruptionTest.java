package dev.nsjunit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.Sandbox;
import dev.nsjunit.SandboxFailedException;
import dev.nsjunit.testing.SandboxKit;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import org.junit.jupiter.api.Test;

/**
 * Something inside the sandbox writes garbage into the channel, truncates a frame, or closes it:
 * the test fails with a clear message naming it, and the parent neither hangs nor runs out of
 * memory. The fixture writes to the channel's socket descriptor with libc, as native code would. No
 * hang: a parent stuck reading would end at the fixtures' 60 s hard limit with reason TIMED_OUT,
 * which every test below rules out by checking the reason.
 */
class ChannelCorruptionTest {

  /** The few libc calls the fixtures need. */
  public interface Libc {
    long write(int fd, byte[] buffer, long count);

    int close(int fd);

    int getpeername(int fd, @jnr.ffi.annotations.Out byte[] address, int[] length);
  }

  static Libc libc() {
    return LibraryLoader.create(Libc.class).load("c");
  }

  /**
   * The child's channel: its one socket whose peer has a path (the parent's socket in the run
   * directory). Not simply the lowest-numbered socket: the JVM holds an unnamed socket pair too,
   * which a JDK 25 child opens before the channel (JDK 17 after it).
   */
  static int channelFd() throws Exception {
    java.util.List<Integer> connected = new java.util.ArrayList<>();
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
      for (Path fd : fds) {
        try {
          int n = Integer.parseInt(fd.getFileName().toString());
          int[] length = {128};
          if (Files.readSymbolicLink(fd).toString().startsWith("socket:")
              && libc().getpeername(n, new byte[128], length) == 0
              && length[0] > 2) { // more than the address family: a path
            connected.add(n);
          }
        } catch (Exception gone) {
          // the directory stream's own descriptor
        }
      }
    }
    if (connected.size() != 1) {
      throw new IllegalStateException(
          "expected one socket connected to a path, found " + connected);
    }
    return connected.get(0);
  }

  @Test
  void garbageOnTheChannelFailsTheTestByName() {
    SandboxFailedException e =
        SandboxKit.runMethod(Cases.class, "writesGarbage").sandboxFailureOf("writesGarbage");
    assertThat(e.reason()).isEqualTo(SandboxFailedException.Reason.CHANNEL_BROKEN);
    // "this" read as a big-endian length: 0x74686973
    assertThat(e.getMessage())
        .contains("the channel from the sandbox of Cases.writesGarbage() broke")
        .contains("frame length 1952999795 is outside 1..16777216 (garbage on the channel?)");
  }

  @Test
  void aTruncatedFrameFailsTheTestByName() {
    SandboxFailedException e =
        SandboxKit.runMethod(Cases.class, "truncatesAFrame").sandboxFailureOf("truncatesAFrame");
    assertThat(e.reason()).isEqualTo(SandboxFailedException.Reason.CHANNEL_BROKEN);
    assertThat(e.getMessage())
        .contains("the channel from the sandbox of Cases.truncatesAFrame() broke")
        .contains("the stream ended inside a frame of 100 bytes (truncated)");
  }

  @Test
  void aChannelClosedEarlyFailsTheTestByName() {
    SandboxFailedException e =
        SandboxKit.runMethod(Cases.class, "closesTheChannel").sandboxFailureOf("closesTheChannel");
    // The parent sees a clean end of the channel; the child's runner cannot send its result and
    // exits with its own error code, whose stderr says why.
    assertThat(e.reason()).isEqualTo(SandboxFailedException.Reason.EXITED);
    assertThat(e.getMessage())
        .contains("Cases.closesTheChannel() exited with code 70 before reporting a result")
        .contains("nsjunit's child runner failed")
        .contains("nsjunit child: java.io.IOException: Bad file descriptor");
  }

  @Test
  void aHugeFrameLengthIsRefusedWithoutAllocatingIt() {
    SandboxFailedException e =
        SandboxKit.runMethod(Cases.class, "announcesAGiantFrame")
            .sandboxFailureOf("announcesAGiantFrame");
    assertThat(e.reason()).isEqualTo(SandboxFailedException.Reason.CHANNEL_BROKEN);
    assertThat(e.getMessage())
        .contains("Cases.announcesAGiantFrame()")
        .contains("frame length 2147483647 is outside 1..16777216");
  }

  @Sandbox(timeout = "60s")
  static class Cases {
    @org.junit.jupiter.api.Test
    void writesGarbage() throws Exception {
      byte[] garbage = "this is not a frame, just text from a confused native library\n".getBytes();
      libc().write(channelFd(), garbage, garbage.length);
    }

    @org.junit.jupiter.api.Test
    void truncatesAFrame() throws Exception {
      byte[] header = {0, 0, 0, 100, 4}; // promises 100 bytes, delivers 1
      libc().write(channelFd(), header, header.length);
      Runtime.getRuntime().halt(0);
    }

    @org.junit.jupiter.api.Test
    void closesTheChannel() throws Exception {
      libc().close(channelFd());
    }

    @org.junit.jupiter.api.Test
    void announcesAGiantFrame() throws Exception {
      byte[] header = {(byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 4};
      libc().write(channelFd(), header, header.length);
    }
  }
}
