package dev.nsjunit.internal.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How the test JVM ends a launcher it started (a sandbox, a lab's holder, a cgroup scope's holder).
 * Its stdin is a pipe only this JVM holds: EOF means "the JVM is gone" (the launcher then also
 * removes the test's cgroups), while {@link #STOP_REQUEST} first means "end the sandbox, keep the
 * cgroups for the JVM's report" ({@code supervisor.c}).
 */
public final class LauncherProcess {
  /** What the launcher reads on its stdin as "end the sandbox, keep the cgroups" (supervisor.c). */
  public static final byte[] STOP_REQUEST = "stop\n".getBytes(StandardCharsets.US_ASCII);

  private LauncherProcess() {}

  /**
   * Ends the sandbox. "stop" on the launcher's stdin, then EOF, is the orderly way: the launcher
   * SIGKILLs the sandbox's PID 1 (so the kernel kills every process in it) and leaves the test's
   * cgroups to us, who still read them for the report and then remove them (EOF alone would tell it
   * that this JVM died and it removes them itself). SIGKILL of the launcher backs it up.
   */
  public static void stop(Process launcher) {
    try (OutputStream stdin = launcher.getOutputStream()) {
      stdin.write(STOP_REQUEST);
      stdin.flush();
    } catch (IOException ignored) {
      // already closed, or the launcher is gone
    }
    awaitOrKill(launcher, Duration.ofSeconds(2));
  }

  /** EOF on its stdin, its lifeline: the launcher ends what it holds, then itself. */
  public static void closeLifeline(Process launcher) {
    try {
      launcher.getOutputStream().close();
    } catch (IOException ignored) {
      // The pipe is gone already: the launcher has seen EOF or ended.
    }
  }

  /** Ends it by EOF and waits; SIGKILL if it takes longer than {@code grace}. */
  public static void end(Process launcher, Duration grace) {
    closeLifeline(launcher);
    awaitOrKill(launcher, grace);
  }

  /** Waits up to {@code grace}, then SIGKILLs it and waits as long again; keeps an interrupt. */
  public static void awaitOrKill(Process process, Duration grace) {
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** What it wrote to stderr (up to 4 KiB, on one line), for a message that says why it failed. */
  public static String stderrText(Process process) {
    try (InputStream err = process.getErrorStream()) {
      String text = new String(err.readNBytes(4096), StandardCharsets.UTF_8).strip();
      return text.isEmpty() ? "(no message)" : text.replace('\n', ' ');
    } catch (IOException e) {
      return "(stderr unreadable: " + e.getMessage() + ")";
    }
  }
}
