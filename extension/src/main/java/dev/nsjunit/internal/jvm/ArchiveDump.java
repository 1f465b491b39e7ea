package dev.nsjunit.internal.jvm;

import dev.nsjunit.internal.cleanup.JvmExit;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One archive being made, finished or gone by the time this JVM is.
 *
 * <p>The dump JVM writes into this JVM's run directory and the archive is moved into the cache by
 * whichever comes first: the thread that waits for the dump, or this JVM's exit, which waits for it
 * (bounded). Without that wait a run shorter than the dump (an IDE running one test, a Surefire
 * fork with one class) never got an archive: the dump outlived its JVM, nobody moved the file, and
 * every such run dumped again and left 5 to 20 MB behind.
 *
 * <p>The dump runs under {@code nsjunit-launch} (no namespaces), whose stdin is a pipe from this
 * JVM: if the JVM dies, SIGKILL included, the launcher kills the dump, and the janitor removes the
 * run directory with the half-written file. Nothing of it outlives the JVM.
 */
final class ArchiveDump {
  /**
   * How long an exiting JVM waits for an unfinished dump. A dump takes 1.5 to 3 s on 2 cores here;
   * the bound is for a slow or emulated machine, where a cut-off dump is made again by the next
   * run.
   */
  static final long EXIT_WAIT_SECONDS = 20;

  private final Process process;
  private final Path partial;
  private final Path log;
  private final Path archive;
  private final Runnable onInstalled;
  private final Runnable onFailed;
  private boolean finished;

  /**
   * Why this JVM ended the dump, set before it does (null: it did not): the dump's watcher then
   * sees it exit like a finished one, and what it wrote until then is no archive.
   */
  private volatile String stoppedBecause;

  private ArchiveDump(
      Process process,
      Path partial,
      Path log,
      Path archive,
      Runnable onInstalled,
      Runnable onFailed) {
    this.process = process;
    this.partial = partial;
    this.log = log;
    this.archive = archive;
    this.onInstalled = onInstalled;
    this.onFailed = onFailed;
  }

  /**
   * Starts {@code dumpJvm} (which writes {@code partial}), under {@code launcher} when there is
   * one; {@code onInstalled} runs once the archive is in place, {@code onFailed} when there is
   * none.
   */
  static void start(
      Path launcher,
      List<String> dumpJvm,
      Path partial,
      Path archive,
      Runnable onInstalled,
      Runnable onFailed)
      throws IOException {
    start(launcher, dumpJvm, partial, archive, onInstalled, onFailed, true);
  }

  /** Work that must be done before the dump JVM starts (writing the jars it archives). */
  interface Preparation {
    void run() throws IOException;
  }

  /**
   * The same, after {@code preparation}, both on a thread of their own; this JVM's exit waits for
   * the two together as it waits for a dump (bounded), so a run shorter than both still leaves the
   * archive. A dump whose preparation is not done when the JVM exits is not started.
   */
  static void startAfter(
      Preparation preparation,
      Path launcher,
      List<String> dumpJvm,
      Path partial,
      Path archive,
      Runnable onInstalled,
      Runnable onFailed) {
    CompletableFuture<ArchiveDump> started = new CompletableFuture<>();
    Object exitLock = new Object();
    boolean[] exiting = {false};
    JvmExit.JVM.at(
        JvmExit.Stage.ARCHIVE_DUMPS,
        () -> {
          ArchiveDump dump;
          try {
            dump =
                LaunchedTestPlans.endsUnfinished()
                    ? started.getNow(null)
                    : started.get(Math.max(0, nanosLeftAtExit()), TimeUnit.NANOSECONDS);
          } catch (ExecutionException | TimeoutException e) {
            dump = null;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            dump = null;
          }
          synchronized (exitLock) {
            exiting[0] = true; // from now on the preparing thread starts nothing
            dump = started.getNow(dump);
          }
          if (dump != null) {
            dump.finishAtExit();
          }
        });
    Thread preparing =
        new Thread(
            () -> {
              try {
                preparation.run();
                synchronized (exitLock) {
                  if (!exiting[0]) {
                    started.complete(
                        start(launcher, dumpJvm, partial, archive, onInstalled, onFailed, false));
                  }
                }
              } catch (IOException | RuntimeException e) {
                onFailed.run();
              } finally {
                started.complete(null);
              }
            },
            "nsjunit-cds-prepare");
    preparing.setDaemon(true);
    preparing.start();
  }

  private static ArchiveDump start(
      Path launcher,
      List<String> dumpJvm,
      Path partial,
      Path archive,
      Runnable onInstalled,
      Runnable onFailed,
      boolean finishAtExit)
      throws IOException {
    Path log = partial.resolveSibling(partial.getFileName() + ".log");
    List<String> cmd =
        launcher == null
            ? dumpJvm
            : java.util.stream.Stream.concat(
                    java.util.stream.Stream.of(launcher.toString(), "--"), dumpJvm.stream())
                .toList();
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start(); // stdin stays a pipe whose write end only this JVM holds
    ArchiveDump dump = new ArchiveDump(p, partial, log, archive, onInstalled, onFailed);
    if (finishAtExit) {
      JvmExit.JVM.at(JvmExit.Stage.ARCHIVE_DUMPS, dump::finishAtExit);
    }
    // A thread of its own, not onExit(): that completes on the common ForkJoin pool, which a busy
    // test run can occupy (see SandboxRun.watchExit).
    Thread watcher =
        new Thread(
            () -> {
              try {
                p.waitFor();
              } catch (InterruptedException e) {
                return; // the JVM is exiting: finishAtExit takes over
              }
              dump.finish(true);
            },
            "nsjunit-cds-dump");
    watcher.setDaemon(true);
    watcher.start();
    return dump;
  }

  /** When the exit stops waiting: one bound for all of a JVM's dumps (a JDK 17 and a 25 child). */
  private static long exitDeadline;

  private static synchronized long nanosLeftAtExit() {
    if (exitDeadline == 0) {
      exitDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(EXIT_WAIT_SECONDS);
    }
    return exitDeadline - System.nanoTime();
  }

  /**
   * At the JVM's exit: waits for the dump (bounded) and installs it, or ends it. Not when the run
   * was not done: someone stopped it (an IDE's stop button sends a signal and waits for the JVM to
   * go), also during discovery, when the first sandbox and with it the dump may start already
   * (HeadStart); an exit held up to 20 s for a cache would look like a hang. The next run makes the
   * archive again.
   */
  private void finishAtExit() {
    if (LaunchedTestPlans.endsUnfinished()) {
      stop("the run was stopped while it was being made");
      finish(false);
      return;
    }
    boolean ended;
    try {
      ended = process.waitFor(Math.max(0, nanosLeftAtExit()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      ended = false;
    }
    if (!ended) {
      stop("it was not finished " + EXIT_WAIT_SECONDS + " s after the tests ended");
    }
    finish(ended);
  }

  /** "stop" is the launcher's word for ending what it runs now (see supervisor.c). */
  private void stop(String because) {
    stoppedBecause = because;
    try {
      OutputStream in = process.getOutputStream();
      in.write("stop\n".getBytes(StandardCharsets.US_ASCII));
      in.flush();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (IOException | InterruptedException e) {
      process.destroyForcibly();
    }
  }

  /** Once: moves a complete archive into the cache, or reports why there is none. */
  private synchronized void finish(boolean ended) {
    if (finished) {
      return;
    }
    finished = true;
    try {
      // The exit code alone is not trusted (a failed dump can turn 0 into 1, or not): the file is.
      if (ended
          && stoppedBecause == null
          && Files.isRegularFile(partial)
          && Files.size(partial) > 0) {
        Files.move(
            partial, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        onInstalled.run();
        return;
      }
    } catch (IOException e) {
      // treated as a failed dump below
    } finally {
      deleteQuietly(log);
    }
    deleteQuietly(partial);
    onFailed.run();
    // Not silent: child JVMs of this run start without sharing, and the reason is shown once.
    String because = stoppedBecause;
    System.err.println(
        because == null
            ? "nsjunit: could not create the class-data sharing archive "
                + archive
                + " (exit code "
                + process.exitValue()
                + "); child JVMs start without it. nsjunit.cds=false turns sharing off."
            : "nsjunit: the class-data sharing archive "
                + archive
                + " was not made: "
                + because
                + "; the next run makes it again");
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // in the run directory, which goes at the JVM's exit
    }
  }
}
