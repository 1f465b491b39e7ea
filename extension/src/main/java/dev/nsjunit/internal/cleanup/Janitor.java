package dev.nsjunit.internal.cleanup;

import dev.nsjunit.internal.launcher.LauncherOption;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * This JVM's janitor: a {@code nsjunit-launch --janitor} process that removes what this JVM made
 * (test cgroups, its run directory) if the JVM dies without removing them itself, SIGKILL included.
 * Its stdin is a pipe whose only write end this JVM holds (a JVM closes every other descriptor in
 * the processes it starts), so the JVM's death is EOF there, at once.
 *
 * <p>Without it those were left until the next JVM's start-up sweep, which only looks below its own
 * cgroup: a CI machine where no test JVM starts in that cgroup again kept them for good.
 *
 * <p>A cgroup is announced before it is created and forgotten after this JVM removed it, so there
 * is no moment in which it exists unknown to the janitor. The janitor is best effort on top of the
 * JVM's own cleanup and the next run's sweep: if it cannot be started (an older launcher given with
 * {@code nsjunit.launcher}) or ends, nothing fails because of it.
 */
public final class Janitor {
  private static Janitor instance;

  private final Process process;
  private final OutputStream commands;
  private boolean gone;

  private Janitor(Process process) {
    this.process = process;
    this.commands = process == null ? OutputStream.nullOutputStream() : process.getOutputStream();
  }

  /**
   * Starts this JVM's janitor with that launcher binary, once; it then watches the run directory.
   */
  public static synchronized void start(Path launcher, Path runDirectory) {
    if (instance != null) {
      return;
    }
    try {
      Process p =
          // The run directory on the command line: no moment exists in which the janitor runs
          // without knowing it (a "+dir" line written afterwards can be cut off by a SIGKILL).
          new ProcessBuilder(
                  List.of(
                      launcher.toString(),
                      LauncherOption.JANITOR.text(),
                      "--",
                      runDirectory.toString()))
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      instance = new Janitor(p);
      // On a normal exit the JVM has removed what it made: the janitor then has nothing to do.
      // Ending it here, before the JVM, means nothing of nsjunit's outlives a JVM that exited,
      // not even for the moment an EOF takes to arrive.
      JvmExit.JVM.at(JvmExit.Stage.JANITOR, Janitor::stop);
    } catch (IOException e) {
      instance =
          new Janitor(null); // not startable here: the JVM's own cleanup and the sweep remain
      instance.gone = true;
      return;
    }
  }

  /** Before creating a test cgroup: should this JVM die, the group and what is in it go too. */
  public static void watchCgroup(Path group) {
    command("+cgroup", group);
  }

  /** After this JVM removed a test cgroup itself. */
  public static void forgetCgroup(Path group) {
    command("-cgroup", group);
  }

  /** The janitor's pid, while it runs (tests and the leak audit tell it from a leftover). */
  public static synchronized java.util.OptionalLong pid() {
    return instance == null || instance.gone || !instance.process.isAlive()
        ? java.util.OptionalLong.empty()
        : java.util.OptionalLong.of(instance.process.pid());
  }

  private static void stop() {
    Process p;
    synchronized (Janitor.class) {
      if (instance == null || instance.gone) {
        return;
      }
      instance.gone = true;
      p = instance.process;
      try {
        instance.commands.close();
      } catch (IOException alreadyGone) {
        // it ended
      }
    }
    try {
      p.waitFor(STOP_WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A janitor with groups still listed retries their removal for 3 s (janitor.c). */
  private static final long STOP_WAIT_SECONDS = 4;

  private static synchronized void command(String verb, Path path) {
    if (instance != null) {
      instance.send(verb, path);
    }
  }

  private void send(String verb, Path path) {
    String p = path.toAbsolutePath().toString();
    if (gone || p.indexOf('\n') >= 0) {
      return; // a line per path: a name with a newline is not ours (nsjunit never makes one)
    }
    try {
      commands.write((verb + " " + p + "\n").getBytes(StandardCharsets.UTF_8));
      commands.flush();
    } catch (IOException e) {
      gone = true; // the janitor ended: the JVM's own cleanup and the next sweep remain
    }
  }
}
