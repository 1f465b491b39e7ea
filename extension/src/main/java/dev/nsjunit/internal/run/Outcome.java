package dev.nsjunit.internal.run;

import dev.nsjunit.OomKilledException;
import dev.nsjunit.SandboxFailedException;
import dev.nsjunit.SandboxFailedException.Reason;
import dev.nsjunit.internal.channel.Message;
import dev.nsjunit.internal.launcher.LauncherStatus;
import dev.nsjunit.internal.spec.DurationText;
import dev.nsjunit.internal.spec.SizeText;
import java.util.Map;
import java.util.Optional;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * Decides what a sandbox run means for the test: nothing to throw (it passed), the test's own
 * exception rebuilt, or an explanation of why the sandbox ended without a result. Never a bare
 * "process died": the explanation names the signal, exit code, crash, timeout or setup step, with
 * the last lines of the child's stderr.
 */
public final class Outcome {
  private static final Map<Integer, String> SIGNALS =
      Map.ofEntries(
          Map.entry(1, "SIGHUP"),
          Map.entry(2, "SIGINT"),
          Map.entry(3, "SIGQUIT"),
          Map.entry(4, "SIGILL"),
          Map.entry(5, "SIGTRAP"),
          Map.entry(6, "SIGABRT"),
          Map.entry(7, "SIGBUS"),
          Map.entry(8, "SIGFPE"),
          Map.entry(9, "SIGKILL"),
          Map.entry(10, "SIGUSR1"),
          Map.entry(11, "SIGSEGV"),
          Map.entry(12, "SIGUSR2"),
          Map.entry(13, "SIGPIPE"),
          Map.entry(14, "SIGALRM"),
          Map.entry(15, "SIGTERM"),
          Map.entry(24, "SIGXCPU"),
          Map.entry(25, "SIGXFSZ"),
          Map.entry(31, "SIGSYS"));

  private Outcome() {}

  /** The throwable to report for this run, or empty when the test passed. */
  public static Optional<Throwable> of(RunRecord run, boolean expectOomKill, String testName) {
    Optional<Throwable> own =
        run.result().isPresent()
            ? fromResult(run.result().get())
            : Optional.of(explainDeath(run, testName));
    if (expectOomKill) {
      if (run.oomKills() > 0) {
        return Optional.empty();
      }
      AssertionFailedError notKilled =
          new AssertionFailedError(
              "expected the kernel OOM killer to kill a process in the sandbox of "
                  + testName
                  + " (@ExpectOomKill), but none was killed: "
                  + memoryFacts(run));
      own.ifPresent(notKilled::initCause);
      return Optional.of(notKilled);
    }
    return own;
  }

  /** "memory limit 64 MiB, peak 63.9 MiB". */
  public static String memoryFacts(RunRecord run) {
    String limit =
        run.limits().memoryBytes().isPresent()
            ? SizeText.format(run.limits().memoryBytes().getAsLong())
            : "none";
    String peak = run.usage().map(u -> SizeText.format(u.memoryPeakBytes())).orElse("unknown");
    return "memory limit " + limit + ", peak " + peak;
  }

  private static Optional<Throwable> fromResult(Message.Result result) {
    switch (result.status()) {
      case SUCCESSFUL:
        return Optional.empty();
      case ABORTED:
        return Optional.of(
            result.throwable() == null
                ? new TestAbortedException("aborted in the sandbox")
                : ThrowableRebuilder.rebuildAborted(result.throwable()));
      case SKIPPED:
        return Optional.of(new TestAbortedException("skipped in the sandbox: " + result.reason()));
      default:
        return Optional.of(
            result.throwable() == null
                ? new AssertionError("failed in the sandbox without an exception")
                : ThrowableRebuilder.rebuild(result.throwable()));
    }
  }

  static SandboxFailedException explainDeath(RunRecord run, String testName) {
    StringBuilder message = new StringBuilder();
    Reason reason;
    Throwable cause = null;
    Optional<LauncherStatus> status = run.status();

    if (run.oomKills() > 0) {
      long limit = run.limits().memoryBytes().orElse(-1);
      long peak = run.usage().map(u -> u.memoryPeakBytes()).orElse(-1L);
      StringBuilder oom =
          new StringBuilder("the child JVM of ")
              .append(testName)
              .append(" was killed by the kernel OOM killer: ")
              .append(memoryFacts(run));
      if (run.oomKills() > 1) {
        oom.append(" (").append(run.oomKills()).append(" processes OOM-killed in the sandbox)");
      }
      if (!run.stderrTail().isEmpty()) {
        oom.append("\nLast lines of the sandbox's stderr:\n").append(run.stderrTail());
      }
      return new OomKilledException(oom.toString(), limit, peak);
    }
    if (status.isPresent() && status.get().kind() == LauncherStatus.Kind.ERROR) {
      reason = Reason.SETUP_FAILED;
      message
          .append("the sandbox for ")
          .append(testName)
          .append(" could not be set up: ")
          .append(status.get().detail());
    } else if (run.timedOut()) {
      reason = Reason.TIMED_OUT;
      message
          .append(testName)
          .append(" timed out after ")
          .append(DurationText.format(run.timeout()))
          .append(
              " (hard limit: @Sandbox(timeout) or nsjunit.timeout); the whole sandbox was killed");
      run.threadDump()
          .ifPresentOrElse(
              dump ->
                  message
                      .append("\nThreads of the child JVM at the timeout:\n")
                      .append(dump.strip()),
              () ->
                  message.append("\n(the child JVM did not answer the request for a thread dump)"));
    } else if (run.bootTimedOut()) {
      reason = Reason.TIMED_OUT;
      message
          .append("the child JVM for ")
          .append(testName)
          .append(
              " did not connect back within the boot timeout (nsjunit.bootTimeout) and was killed");
    } else if (run.channelError().isPresent()) {
      reason = Reason.CHANNEL_BROKEN;
      message
          .append("the channel from the sandbox of ")
          .append(testName)
          .append(" broke: ")
          .append(run.channelError().get());
    } else if (run.exitCalled().isPresent()) {
      reason = Reason.EXITED;
      message.append(testName).append(" called System.exit");
      exitCode(run).ifPresent(code -> message.append('(').append(code).append(')'));
      message.append(" in the sandbox; the stack of that call is the cause of this exception");
      cause = ThrowableRebuilder.rebuild(run.exitCalled().get().callSite());
    } else if (status.isPresent() && status.get().kind() == LauncherStatus.Kind.SIGNAL) {
      reason = Reason.KILLED_BY_SIGNAL;
      int sig = status.get().number();
      message
          .append("the child JVM of ")
          .append(testName)
          .append(" was killed by signal ")
          .append(sig)
          .append(" (")
          .append(SIGNALS.getOrDefault(sig, "signal " + sig))
          .append(')');
      if (isCrash(run)) {
        message.append(": the JVM crashed (see the hs_err report named in its stderr)");
      }
    } else if (status.isPresent() && status.get().kind() == LauncherStatus.Kind.EXIT) {
      reason = Reason.EXITED;
      int code = status.get().number();
      message
          .append("the child JVM of ")
          .append(testName)
          .append(" exited with code ")
          .append(code)
          .append(" before reporting a result");
      if (isCrash(run)) {
        message.append(": the JVM crashed (see the hs_err report named in its output)");
        message.append("\nLast lines of the sandbox's stdout:\n").append(run.stdoutTail());
      } else if (code == 70 && run.stderrTail().contains("nsjunit child:")) {
        message.append(": nsjunit's child runner failed (see its stderr)");
      } else if (!run.connected()) {
        message.append(
            " (it never connected to its channel: see the JVM's stderr; wrong nsjunit.jvmArgs?)");
      } else {
        message.append(
            " (Runtime.halt, a native exit(), or System.exit from a place nsjunit could not record)");
      }
    } else if (status.isPresent() && status.get().kind() == LauncherStatus.Kind.STOPPED) {
      reason = Reason.KILLED_BY_SIGNAL;
      message
          .append("the sandbox of ")
          .append(testName)
          .append(" was ended by nsjunit before it reported a result");
    } else {
      reason = Reason.KILLED_BY_SIGNAL;
      message
          .append("the nsjunit launcher for ")
          .append(testName)
          .append(" ended without a status (exit code ")
          .append(run.processExitCode())
          .append("): it was killed from outside");
    }
    if (!run.stderrTail().isEmpty() && reason != Reason.SETUP_FAILED) {
      message.append("\nLast lines of the sandbox's stderr:\n").append(run.stderrTail());
    }
    return new SandboxFailedException(reason, message.toString(), cause);
  }

  private static Optional<Integer> exitCode(RunRecord run) {
    return run.status()
        .filter(s -> s.kind() == LauncherStatus.Kind.EXIT)
        .map(LauncherStatus::number);
  }

  private static final String CRASH_BANNER =
      "A fatal error has been detected by the Java Runtime Environment";

  private static boolean isCrash(RunRecord run) {
    return run.stderrTail().contains(CRASH_BANNER) || run.stdoutTail().contains(CRASH_BANNER);
  }
}
