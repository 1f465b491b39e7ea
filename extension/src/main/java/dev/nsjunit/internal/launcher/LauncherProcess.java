package dev.nsjunit.internal.launcher;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * How the test JVM ends a running launcher. Its stdin is a pipe only this JVM holds: EOF means "the
 * JVM is gone" (the launcher then also removes the test's cgroups), while {@link #STOP_REQUEST}
 * first means "end the sandbox, keep the cgroups for the JVM's report" ({@code supervisor.c}).
 */
public final class LauncherProcess {
  /** What the launcher reads on its stdin as "end the sandbox, keep the cgroups" (supervisor.c). */
  public static final byte[] STOP_REQUEST = "stop\n".getBytes(StandardCharsets.US_ASCII);

  private LauncherProcess() {}

  /**
   * Ends the sandbox. "stop" on the launcher's stdin, then EOF, is the orderly way: the launcher
   * SIGKILLs the sandbox's PID 1 (so the kernel kills every process in it) and leaves the test's
   * cgroups to us, who still read them for the report and then remove them (EOF alone would tell
   * it that this JVM died and it removes them itself). SIGKILL of the launcher backs it up.
   */
  public static void stop(Process launcher) {
    try (OutputStream stdin = launcher.getOutputStream()) {
      stdin.write(STOP_REQUEST);
      stdin.flush();
    } catch (IOException ignored) {
      // already closed, or the launcher is gone
    }
    try {
      if (!launcher.waitFor(2, TimeUnit.SECONDS)) {
        launcher.destroyForcibly();
      }
    } catch (InterruptedException e) {
      launcher.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
