package dev.nsjunit.internal.run;

import dev.nsjunit.internal.channel.ChannelEndpoint;
import dev.nsjunit.internal.channel.FrameCodec;
import dev.nsjunit.internal.channel.FrameWriter;
import dev.nsjunit.internal.channel.Message;
import dev.nsjunit.internal.lab.LabSession;
import dev.nsjunit.internal.launcher.LauncherProcess;
import dev.nsjunit.internal.launcher.LauncherStatus;
import dev.nsjunit.internal.limits.cgroup.CgroupLimits;
import dev.nsjunit.internal.limits.cgroup.TestCgroup;
import dev.nsjunit.internal.limits.cgroup.Usage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Watches one started sandbox on the test's thread until it is over: consumes the events the helper
 * threads queue (output, channel, exit), answers the child (its test, network calls), and enforces
 * the deadlines (boot, test, thread dump, kill). Each event changes one piece of state; {@link
 * #record} turns the state into the run's facts.
 */
final class SandboxWatch {
  /** How long a child that was asked for a thread dump may take to answer. */
  private static final Duration DUMP_GRACE = Duration.ofSeconds(3);

  /** After a kill, how long we wait for the launcher and the streams to end. */
  static final Duration KILL_GRACE = Duration.ofSeconds(10);

  /** What the watch needs to know about the run it watches. */
  record Run(
      Process launcher,
      ChannelEndpoint endpoint,
      String token,
      String uniqueId,
      Map<String, String> junitConfiguration,
      Duration timeout,
      Duration bootTimeout,
      long started,
      long launched,
      Path statusFile,
      Optional<TestCgroup> cgroup,
      CgroupLimits limits,
      Optional<LabSession> lab,
      ExecutorService networkCalls,
      boolean reportBeforeExit,
      Runnable runSent) {}

  private final Run run;
  private final BlockingQueue<SandboxEvent> events;
  private final SandboxRun.Listener listener;
  private final OutputTail stderrTail = new OutputTail();

  /** HotSpot prints its crash banner to stdout, so stdout's tail is kept too. */
  private final OutputTail stdoutTail = new OutputTail();

  private final long deadline;
  private final long bootDeadline;
  private long killDeadline = Long.MAX_VALUE;
  private long dumpDeadline = Long.MAX_VALUE;

  private FrameWriter connection;
  private boolean helloSeen;
  private boolean exited;
  private boolean channelEnded;
  private boolean stdoutEnded;
  private boolean stderrEnded;
  private boolean byeSeen;
  private boolean stdoutComplete;
  private boolean stderrComplete;
  private boolean endedBeforeExit;
  private volatile boolean stopAsked;
  private boolean timedOut;
  private boolean bootTimedOut;
  private boolean killed;
  private int exitCode = -1;
  private Message.Result result;
  private Message.ExitCalled exitCalled;
  private String threadDump;
  private String channelError;

  SandboxWatch(Run run, BlockingQueue<SandboxEvent> events, SandboxRun.Listener listener) {
    this.run = run;
    this.events = events;
    this.listener = listener;
    this.deadline = run.started() + run.timeout().toNanos();
    // A sandbox started ahead of its test boots on its own clock; the test's begins when it asks.
    this.bootDeadline = run.launched() + run.bootTimeout().toNanos();
  }

  /**
   * Until the launcher exited and the channel and both output streams ended, or a kill took too
   * long.
   */
  RunRecord watch() throws InterruptedException {
    try {
      while (!(exited && channelEnded && stdoutEnded && stderrEnded)) {
        if (run.reportBeforeExit()
            && result != null
            && byeSeen
            && stdoutComplete
            && stderrComplete
            && !killed) {
          // The test is over and all its output forwarded: the JVM's exit (shutdown hooks, a few
          // ms to tens of ms) and the teardown need not delay its result (see awaitExit).
          endedBeforeExit = true;
          break;
        }
        long now = System.nanoTime();
        if (now >= killDeadline) {
          break; // killed and still not gone: report what we have rather than hang
        }
        enforceDeadlines(now);
        long wait =
            Math.min(
                    Math.min(deadline, helloSeen ? Long.MAX_VALUE : bootDeadline),
                    Math.min(dumpDeadline, killDeadline))
                - now;
        SandboxEvent event =
            events.poll(
                Math.max(1, Math.min(wait, TimeUnit.SECONDS.toNanos(1))), TimeUnit.NANOSECONDS);
        if (event != null) {
          handle(event);
        }
      }
    } catch (InterruptedException e) {
      // JUnit's own @Timeout (in the parent) or a cancelled run: the sandbox must not outlive us.
      LauncherProcess.stop(run.launcher());
      run.launcher().waitFor(KILL_GRACE.toSeconds(), TimeUnit.SECONDS);
      throw e;
    }
    if (exited) {
      exitCode = run.launcher().exitValue();
    }
    return record();
  }

  /** Makes {@link #awaitExit}, on its own thread, kill the sandbox now. */
  void stopAfterResult() {
    stopAsked = true;
  }

  /** Whether {@link #awaitExit} had to kill a sandbox that did not exit by the deadline. */
  boolean timedOutAfterResult() {
    return endedBeforeExit && timedOut;
  }

  /** Whether {@link #watch} returned with the test's result before the sandbox exited. */
  boolean exitPending() {
    return endedBeforeExit;
  }

  /**
   * After a result reported before the exit: until the launcher exited and the streams ended,
   * output still forwarded (a shutdown hook's), killing the sandbox at the test's own deadline if
   * its exit hangs. Returns what went wrong after the result, if anything, for a warning.
   */
  Optional<String> awaitExit() throws InterruptedException {
    while (!(exited && channelEnded && stdoutEnded && stderrEnded)) {
      long now = System.nanoTime();
      if (now >= killDeadline) {
        break;
      }
      if (!killed && (now >= deadline || stopAsked)) {
        kill();
        timedOut = true;
      }
      long wait = Math.min(deadline, killDeadline) - now;
      SandboxEvent event =
          events.poll(
              Math.max(1, Math.min(wait, TimeUnit.SECONDS.toNanos(1))), TimeUnit.NANOSECONDS);
      if (event != null) {
        handle(event);
      }
    }
    if (exited) {
      exitCode = run.launcher().exitValue();
    }
    if (timedOut) {
      return Optional.of(
          stopAsked
              ? "had not exited when its class ended (a shutdown hook that hangs?) and was killed"
              : "did not exit by the test's deadline ("
                  + run.timeout().toSeconds()
                  + " s after it started: a shutdown hook that hangs?) and was killed");
    }
    if (!exited) {
      return Optional.of("did not exit, even after a kill");
    }
    if (exitCode != 0) {
      return Optional.of("exited with code " + exitCode + " (a shutdown hook's Runtime.halt?)");
    }
    return Optional.empty();
  }

  /**
   * Past the test's or the boot deadline: ask for a thread dump first, when the child can answer.
   */
  private void enforceDeadlines(long now) {
    if (!killed && !timedOut && (now >= deadline || (!helloSeen && now >= bootDeadline))) {
      timedOut = now >= deadline;
      bootTimedOut = !timedOut;
      if (connection != null && helloSeen) {
        send(new Message.DumpThreads());
        dumpDeadline = now + DUMP_GRACE.toNanos();
      } else {
        kill();
      }
    }
    if (!killed && now >= dumpDeadline) {
      kill();
    }
  }

  private void kill() {
    LauncherProcess.stop(run.launcher());
    killed = true;
    killDeadline = System.nanoTime() + KILL_GRACE.toNanos();
  }

  private void handle(SandboxEvent event) {
    if (event instanceof SandboxEvent.Output o) {
      (o.stderr() ? stderrTail : stdoutTail).append(o.bytes());
      listener.output(o.stderr(), o.bytes());
    } else if (event instanceof SandboxEvent.OutputEnded o) {
      if (o.stderr()) {
        stderrEnded = true;
      } else {
        stdoutEnded = true;
      }
    } else if (event instanceof SandboxEvent.OutputComplete o) {
      if (o.stderr()) {
        stderrComplete = true;
      } else {
        stdoutComplete = true;
      }
    } else if (event instanceof SandboxEvent.Connected c) {
      connection = c.connection();
    } else if (event instanceof SandboxEvent.ChannelEnded c) {
      channelEnded = true;
      if (c.error() != null && channelError == null && !killed) {
        channelError = c.error().getMessage();
      }
    } else if (event instanceof SandboxEvent.Exited e) {
      exited = true;
      exitCode = e.exitCode();
      run.endpoint().closeServer(); // a child that never connected will not connect now
      if (killDeadline == Long.MAX_VALUE) {
        killDeadline = System.nanoTime() + KILL_GRACE.toNanos();
      }
    } else if (event instanceof SandboxEvent.Received r) {
      receive(r.message());
    }
  }

  private void receive(Message m) {
    if (!helloSeen) {
      String problem = checkHello(m, run.token());
      if (problem != null) {
        channelError = problem;
        kill();
        return;
      }
      helloSeen = true;
      send(new Message.Run(run.uniqueId(), run.junitConfiguration()));
      run.runSent().run();
    } else if (m instanceof Message.ReportEntry e) {
      listener.reportEntry(e.entries());
    } else if (m instanceof Message.Result res) {
      result = res;
    } else if (m instanceof Message.ExitCalled e) {
      exitCalled = e;
    } else if (m instanceof Message.Bye) {
      byeSeen = true;
    } else if (m instanceof Message.NetworkCall call) {
      answer(call);
    } else if (m instanceof Message.ThreadDump d) {
      threadDump = d.text();
      if (!killed) {
        kill();
      }
    }
  }

  private RunRecord record() {
    return new RunRecord(
        Optional.ofNullable(result),
        Optional.ofNullable(exitCalled),
        LauncherStatus.read(run.statusFile()),
        exitCode,
        timedOut,
        run.timeout(),
        bootTimedOut,
        Optional.ofNullable(threadDump),
        Optional.ofNullable(channelError),
        connection != null,
        stderrTail.lastLines(),
        stdoutTail.lastLines(),
        Duration.ofNanos(System.nanoTime() - run.started()),
        usage(),
        run.limits());
  }

  /**
   * The cgroup's usage, read before teardown removes the groups. A group that cannot be read any
   * more must not hide the outcome (a timeout, an exit): the test is then reported without usage.
   */
  private Optional<Usage> usage() {
    if (run.cgroup().isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(run.cgroup().get().usage());
    } catch (IllegalStateException unreadable) {
      System.err.println(
          "nsjunit: the sandbox's cgroup usage could not be read: " + unreadable.getMessage());
      return Optional.empty();
    }
  }

  /** Carries out a network call off the event loop (waiting for a port can take seconds). */
  private void answer(Message.NetworkCall call) {
    if (run.lab().isEmpty()) {
      send(
          new Message.NetworkAnswer(
              call.id(),
              null,
              "this test has no network lab: add @Topology to the test or its class to use Network"));
      return;
    }
    LabSession session = run.lab().get();
    FrameWriter to = connection;
    run.networkCalls()
        .execute(
            () -> {
              Message.NetworkAnswer answer;
              try {
                answer =
                    new Message.NetworkAnswer(
                        call.id(), session.handle(call.operation(), call.arguments()), null);
              } catch (Exception | Error e) {
                answer =
                    new Message.NetworkAnswer(
                        call.id(), null, e.getMessage() == null ? e.toString() : e.getMessage());
              }
              sendQuietly(to, answer);
            });
  }

  private static String checkHello(Message m, String token) {
    if (!(m instanceof Message.Hello hello)) {
      return "the child's first frame was " + m.getClass().getSimpleName() + ", expected a hello";
    }
    if (hello.version() != FrameCodec.VERSION) {
      return "the child speaks channel protocol version "
          + hello.version()
          + ", the parent "
          + FrameCodec.VERSION
          + " (mixed nsjunit versions on the classpath?)";
    }
    if (!token.equals(hello.token())) {
      return "the child presented the wrong token; another process connected to this test's channel";
    }
    return null;
  }

  private void send(Message m) {
    sendQuietly(connection, m);
  }

  private static void sendQuietly(FrameWriter connection, Message m) {
    try {
      connection.send(m);
    } catch (IOException e) {
      // The child is gone; the exit event explains why.
    }
  }
}
