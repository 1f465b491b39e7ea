package dev.nsjunit.internal.run;

import dev.nsjunit.internal.channel.ChannelEndpoint;
import dev.nsjunit.internal.jvm.ChildClasspath;
import dev.nsjunit.internal.jvm.ClassDataSharing;
import dev.nsjunit.internal.jvm.DebugPort;
import dev.nsjunit.internal.jvm.InheritedJvmOptions;
import dev.nsjunit.internal.lab.LabAccess;
import dev.nsjunit.internal.launcher.LauncherBinary;
import dev.nsjunit.internal.launcher.LauncherStatus;
import dev.nsjunit.internal.limits.CoveredPaths;
import dev.nsjunit.internal.limits.HardLimits;
import dev.nsjunit.internal.limits.MountPoints;
import dev.nsjunit.internal.limits.SandboxCgroups;
import dev.nsjunit.internal.namespaces.PrivilegeProbe;
import dev.nsjunit.internal.namespaces.SandboxHostsFile;

import dev.nsjunit.SandboxFailedException;
import dev.nsjunit.SandboxFailedException.Reason;
import dev.nsjunit.internal.limits.cgroup.TestCgroup;
import dev.nsjunit.internal.channel.FrameCodec;
import dev.nsjunit.internal.channel.Message;
import dev.nsjunit.internal.lab.LabSession;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import dev.nsjunit.internal.spec.Configuration;
import dev.nsjunit.internal.spec.SandboxSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One sandbox, from spawn to teardown, driven from the test's own thread.
 *
 * <p>Helper threads (channel, stdout, stderr, exit) only put {@link SandboxEvent}s in a queue;
 * this class consumes them in order on the test thread, so the child's output is written while
 * the test is current (build tools attribute output by thread) and every wait has a deadline.
 */
public final class SandboxRun {
  /** Receives what the sandbox produces while it runs. */
  public interface Listener {
    void output(boolean stderr, byte[] bytes);

    void reportEntry(Map<String, String> entries);
  }

  /** How long a child that was asked for a thread dump may take to answer. */
  private static final Duration DUMP_GRACE = Duration.ofSeconds(3);
  /** After a kill, how long we wait for the launcher and the streams to end. */
  private static final Duration KILL_GRACE = Duration.ofSeconds(10);

  private static final SecureRandom RANDOM = new SecureRandom();

  /** What the launcher reads on its stdin as "end the sandbox, keep the cgroups" (supervisor.c). */
  public static final byte[] STOP_REQUEST = "stop\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** A sandbox waiting for a debugger has no deadline: the person at the debugger decides. */
  private static final Duration WHILE_DEBUGGING = Duration.ofDays(365);

  private static final java.util.concurrent.atomic.AtomicBoolean DEBUGGED_PARENT_TOLD = new java.util.concurrent.atomic.AtomicBoolean();

  private final SandboxSpec spec;
  private final Configuration config;
  private final Class<?> testClass;
  private final String testName;
  private final String uniqueId;
  private final Map<String, String> junitConfiguration;
  private final Listener listener;
  private final Optional<LabAccess> lab;
  private final boolean ownsLab;

  private final BlockingQueue<SandboxEvent> events = new LinkedBlockingQueue<>();
  private final OutputTail stderrTail = new OutputTail();
  /** HotSpot prints its crash banner to stdout, so stdout's tail is kept too. */
  private final OutputTail stdoutTail = new OutputTail();

  public SandboxRun(
      SandboxSpec spec, Configuration config, Class<?> testClass, String testName, String uniqueId,
      Map<String, String> junitConfiguration, Listener listener, Optional<LabAccess> lab) {
    this(spec, config, testClass, testName, uniqueId, junitConfiguration, listener, lab, false);
  }

  /** With {@code ownsLab}, the lab is this test's alone and is closed in its teardown (see {@link Teardown}). */
  public SandboxRun(
      SandboxSpec spec, Configuration config, Class<?> testClass, String testName, String uniqueId,
      Map<String, String> junitConfiguration, Listener listener, Optional<LabAccess> lab, boolean ownsLab) {
    this.lab = lab;
    this.ownsLab = ownsLab;
    this.spec = spec;
    this.config = config;
    this.testClass = testClass;
    this.testName = testName;
    this.uniqueId = uniqueId;
    this.junitConfiguration = junitConfiguration;
    this.listener = listener;
  }

  public RunRecord run() throws InterruptedException {
    try (Teardown teardown = new Teardown()) {
      if (ownsLab) {
        teardown.at(Teardown.Stage.LAB, lab.get()::close);
      }
      return run(teardown);
    }
  }

  /**
   * The steps of one run. Each resource is registered with the teardown the moment it exists, so a
   * failure at any step undoes exactly what was made before it.
   */
  private RunRecord run(Teardown teardown) throws InterruptedException {
    ChildCommand.ChildJvm jvm = checkChildJvm();
    long started = System.nanoTime();
    RunDirectory dir = RunDirectory.get();
    Path launcher = LauncherBinary.path(config);
    SandboxSetup setup = new SandboxSetup(spec, config, dir.nextId(), dir, teardown,
        new SandboxSetup.ChildJvmPaths(Path.of(ChildCommand.javaExecutable(config)), jvm.classpath().entries(),
            Path.of(System.getProperty("user.dir"))), lab);
    try {
      for (SandboxFeature feature : SandboxFeatures.ALL) {
        feature.prepare(setup);
      }
      return launch(setup, launcher, jvm, started, teardown);
    } catch (IOException e) {
      throw new SandboxFailedException(
          Reason.SETUP_FAILED, "could not prepare the sandbox's files in " + dir.path() + ": " + e.getMessage(), e);
    }
  }

  /** What the child runs with, checked before anything is started or created. */
  private ChildCommand.ChildJvm checkChildJvm() {
    ChildClasspath classpath = ChildClasspath.of(testClass);
    ChildClasspath.problem(testClass, classpath).ifPresent(problem -> {
      throw new SandboxFailedException(Reason.SETUP_FAILED, problem);
    });
    InheritedJvmOptions.Result inherited = InheritedJvmOptions.forSandbox(new InheritedJvmOptions.Sandbox(
        spec.limits().memoryBytes(), testClass.getName(), testClass.desiredAssertionStatus()));
    if (inherited.parentIsDebugged() && config.debugPort().isEmpty() && DEBUGGED_PARENT_TOLD.compareAndSet(false, true)) {
      System.err.println("nsjunit: this test JVM runs under a debugger, which does not reach into sandboxes: isolated"
          + " tests run in child JVMs. To debug one, set the configuration parameter nsjunit.debug=<port> (docs/runners.md).");
    }
    return new ChildCommand.ChildJvm(classpath, inherited, List.of());
  }

  private RunRecord launch(SandboxSetup setup, Path launcher, ChildCommand.ChildJvm jvm, long started, Teardown teardown)
      throws InterruptedException, IOException {
    RunDirectory dir = setup.directory();
    int id = setup.id();
    String token = newToken();
    Path socket = dir.file("s" + id + ".sock");
    Path statusFile = dir.file("s" + id + ".status");
    Duration timeout = config.debugPort().isPresent() ? WHILE_DEBUGGING : spec.timeout().orElse(config.timeout());
    teardown.at(Teardown.Stage.RUN_DIRECTORY, () -> Files.deleteIfExists(statusFile));
    teardown.at(Teardown.Stage.RUN_DIRECTORY, () -> Files.deleteIfExists(dir.file("cp-" + id + ".args")));
    ChildClasspath classpath = jvm.classpath();
    InheritedJvmOptions.Result inherited = jvm.inherited();
    TestCgroup cgroup = setup.cgroup().orElse(null);
    List<String> command = new ArrayList<>();
    command.add(launcher.toString());
    command.addAll(setup.launcherOptions());
    command.add("--chdir");
    command.add(System.getProperty("user.dir"));
    command.add("--status-file");
    command.add(statusFile.toString());
    command.add("--");
    // Class-data sharing covers class path runs: the JDK turns it off with module graph options.
    ClassDataSharing.Plan sharing = ClassDataSharing.plan(ChildCommand.javaExecutable(config),
        config.classDataSharing() && !inherited.modular(), ChildCommand.childRunsThisJdk(config), classpath.asString());
    DebugPort debug = config.debugPort().isPresent()
        ? DebugPort.open(config.debugPort().get(), spec.has(dev.nsjunit.internal.namespaces.Namespace.NET) || lab.isPresent())
        : null;
    if (debug != null) {
      teardown.at(Teardown.Stage.CHILD, debug::close);
    }
    ChannelEndpoint endpoint = ChannelEndpoint.open(socket, events, "nsjunit-channel-" + id);
    // No child will ever connect after it ended (or never started): free the socket and its thread.
    teardown.at(Teardown.Stage.CHILD, endpoint::close);
    Process process;
    try {
      command.addAll(ChildCommand.javaCommand(spec, config, new ChildCommand.ChildJvm(classpath, inherited,
          debug == null ? List.of() : debug.jvmOptions()), socket, token, dir.path(), id, sharing));
      ProcessBuilder builder = new ProcessBuilder(command);
      ChildCommand.trimEnvironment(builder.environment());
      process = builder.start();
    } catch (IOException e) {
      throw new SandboxFailedException(
          Reason.SETUP_FAILED,
          "could not start the nsjunit launcher " + launcher + ": " + e.getMessage()
              + (e.getMessage() != null && e.getMessage().contains("Permission denied")
                  ? " (is " + dir.path() + " on a file system mounted noexec? set java.io.tmpdir to another directory)"
                  : ""),
          e);
    }
    // First of all: the launcher, and with it every process of the sandbox.
    teardown.at(Teardown.Stage.CHILD, () -> {
      if (process.isAlive()) {
        kill(process);
      }
    });
    if (debug != null) {
      debug.relayInto(process);
      System.err.println(debug.announcement(testName));
    }
    pump(process.getInputStream(), false, "nsjunit-stdout-" + id);
    pump(process.getErrorStream(), true, "nsjunit-stderr-" + id);
    watchExit(process, "nsjunit-exit-" + id);

    LabSession session = lab.map(l -> new LabSession(l.lab(),
        ChildCommand.hostProcesses(launcher, l, config, classpath, inherited))).orElse(null);
    ExecutorService networkCalls = null;
    if (session != null) {
      // Host processes end with the test; their output becomes the test's output.
      teardown.at(Teardown.Stage.LAB, () -> session.close((who, text) -> listener.output(false,
          ("[" + who + "] " + text.strip().replace("\n", "\n[" + who + "] ") + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8))));
      networkCalls = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "nsjunit-network-" + id);
        t.setDaemon(true);
        return t;
      });
      teardown.at(Teardown.Stage.LAB, networkCalls::shutdownNow);
    }
    return drive(process, endpoint, token, timeout, statusFile, started, cgroup, session, networkCalls);
  }

  private RunRecord drive(
      Process process, ChannelEndpoint endpoint, String token, Duration timeout, Path statusFile, long started,
      TestCgroup cgroup, LabSession session, ExecutorService networkCalls) throws InterruptedException {
    long deadline = started + timeout.toNanos();
    long bootDeadline = started + (config.debugPort().isPresent() ? WHILE_DEBUGGING : config.bootTimeout()).toNanos();
    long killDeadline = Long.MAX_VALUE;
    long dumpDeadline = Long.MAX_VALUE;

    ChannelEndpoint.Connection connection = null;
    boolean helloSeen = false;
    boolean exited = false;
    boolean channelEnded = false;
    boolean stdoutEnded = false;
    boolean stderrEnded = false;
    boolean timedOut = false;
    boolean bootTimedOut = false;
    boolean killed = false;
    int exitCode = -1;
    Message.Result result = null;
    Message.ExitCalled exitCalled = null;
    String threadDump = null;
    String channelError = null;

    try {
      while (!(exited && channelEnded && stdoutEnded && stderrEnded)) {
        long now = System.nanoTime();
        if (now >= killDeadline) {
          break; // killed and still not gone: report what we have rather than hang
        }
        if (!killed && !timedOut && (now >= deadline || (!helloSeen && now >= bootDeadline))) {
          timedOut = now >= deadline;
          bootTimedOut = !timedOut;
          if (connection != null && helloSeen) {
            sendQuietly(connection, new Message.DumpThreads());
            dumpDeadline = now + DUMP_GRACE.toNanos();
          } else {
            kill(process);
            killed = true;
            killDeadline = now + KILL_GRACE.toNanos();
          }
        }
        if (!killed && now >= dumpDeadline) {
          kill(process);
          killed = true;
          killDeadline = now + KILL_GRACE.toNanos();
        }
        long wait = Math.min(Math.min(deadline, helloSeen ? Long.MAX_VALUE : bootDeadline), Math.min(dumpDeadline, killDeadline)) - now;
        SandboxEvent event = events.poll(Math.max(1, Math.min(wait, TimeUnit.SECONDS.toNanos(1))), TimeUnit.NANOSECONDS);
        if (event == null) {
          continue;
        }
        if (event instanceof SandboxEvent.Output o) {
          (o.stderr() ? stderrTail : stdoutTail).append(o.bytes());
          listener.output(o.stderr(), o.bytes());
        } else if (event instanceof SandboxEvent.OutputEnded o) {
          if (o.stderr()) {
            stderrEnded = true;
          } else {
            stdoutEnded = true;
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
          endpoint.closeServer(); // a child that never connected will not connect now
          if (killDeadline == Long.MAX_VALUE) {
            killDeadline = System.nanoTime() + KILL_GRACE.toNanos();
          }
        } else if (event instanceof SandboxEvent.Received r) {
          Message m = r.message();
          if (!helloSeen) {
            String problem = checkHello(m, token);
            if (problem != null) {
              channelError = problem;
              kill(process);
              killed = true;
              killDeadline = System.nanoTime() + KILL_GRACE.toNanos();
              continue;
            }
            helloSeen = true;
            sendQuietly(connection, new Message.Run(uniqueId, junitConfiguration));
          } else if (m instanceof Message.ReportEntry e) {
            listener.reportEntry(e.entries());
          } else if (m instanceof Message.Result res) {
            result = res;
          } else if (m instanceof Message.ExitCalled e) {
            exitCalled = e;
          } else if (m instanceof Message.NetworkCall call) {
            answer(call, session, networkCalls, connection);
          } else if (m instanceof Message.ThreadDump d) {
            threadDump = d.text();
            if (!killed) {
              kill(process);
              killed = true;
              killDeadline = System.nanoTime() + KILL_GRACE.toNanos();
            }
          }
        }
      }
    } catch (InterruptedException e) {
      // JUnit's own @Timeout (in the parent) or a cancelled run: the sandbox must not outlive us.
      kill(process);
      process.waitFor(KILL_GRACE.toSeconds(), TimeUnit.SECONDS);
      throw e;
    }
    if (exited) {
      exitCode = process.exitValue();
    }
    return new RunRecord(
        Optional.ofNullable(result),
        Optional.ofNullable(exitCalled),
        LauncherStatus.read(statusFile),
        exitCode,
        timedOut,
        timeout,
        bootTimedOut,
        Optional.ofNullable(threadDump),
        Optional.ofNullable(channelError),
        connection != null,
        stderrTail.lastLines(),
        stdoutTail.lastLines(),
        Duration.ofNanos(System.nanoTime() - started),
        usage(cgroup),
        spec.limits());
  }

  /**
   * The cgroup's usage, read before teardown removes the groups. A group that cannot be read any
   * more must not hide the outcome (a timeout, an exit): the test is then reported without usage.
   */
  private static Optional<dev.nsjunit.internal.limits.cgroup.Usage> usage(TestCgroup cgroup) {
    if (cgroup == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(cgroup.usage());
    } catch (IllegalStateException unreadable) {
      System.err.println("nsjunit: the sandbox's cgroup usage could not be read: " + unreadable.getMessage());
      return Optional.empty();
    }
  }

  /** Carries out a network call off the event loop (waiting for a port can take seconds). */
  private static void answer(
      Message.NetworkCall call, LabSession session, ExecutorService executor, ChannelEndpoint.Connection connection) {
    if (session == null) {
      sendQuietly(connection, new Message.NetworkAnswer(call.id(), null,
          "this test has no network lab: add @Topology to the test or its class to use Network"));
      return;
    }
    executor.execute(() -> {
      Message.NetworkAnswer answer;
      try {
        answer = new Message.NetworkAnswer(call.id(), session.handle(call.operation(), call.arguments()), null);
      } catch (Exception | Error e) {
        answer = new Message.NetworkAnswer(call.id(), null, e.getMessage() == null ? e.toString() : e.getMessage());
      }
      sendQuietly(connection, answer);
    });
  }

  private static String checkHello(Message m, String token) {
    if (!(m instanceof Message.Hello)) {
      return "the child's first frame was " + m.getClass().getSimpleName() + ", expected a hello";
    }
    Message.Hello hello = (Message.Hello) m;
    if (hello.version() != FrameCodec.VERSION) {
      return "the child speaks channel protocol version " + hello.version() + ", the parent " + FrameCodec.VERSION
          + " (mixed nsjunit versions on the classpath?)";
    }
    if (!token.equals(hello.token())) {
      return "the child presented the wrong token; another process connected to this test's channel";
    }
    return null;
  }

  private static void sendQuietly(ChannelEndpoint.Connection connection, Message m) {
    try {
      connection.send(m);
    } catch (IOException e) {
      // The child is gone; the exit event explains why.
    }
  }

  /**
   * Ends the sandbox. "stop" on the launcher's stdin, then EOF, is the orderly way: the launcher
   * SIGKILLs the sandbox's PID 1 (so the kernel kills every process in it) and leaves the test's
   * cgroups to us, who still read them for the report and then remove them (EOF alone would tell
   * it that this JVM died and it removes them itself). SIGKILL of the launcher backs it up.
   */
  static void kill(Process process) {
    try (java.io.OutputStream stdin = process.getOutputStream()) {
      stdin.write(STOP_REQUEST);
      stdin.flush();
    } catch (IOException ignored) {
      // already closed, or the launcher is gone
    }
    try {
      if (!process.waitFor(2, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private void pump(InputStream stream, boolean stderr, String name) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[8192];
      try (stream) {
        int n;
        while ((n = stream.read(buffer)) > 0) {
          events.add(new SandboxEvent.Output(stderr, java.util.Arrays.copyOf(buffer, n)));
        }
      } catch (IOException ignored) {
        // stream closed: the process is gone
      }
      events.add(new SandboxEvent.OutputEnded(stderr));
    }, name);
    t.setDaemon(true);
    t.start();
  }

  /**
   * A thread of its own waits for the launcher, not {@code Process.onExit()}: the JDK completes
   * that future with {@code handleAsync} on the common ForkJoin pool, so when the pool's workers
   * are busy (one worker on two cores, taken by a test that runs from the pool and waits here) the
   * exit is never seen and the sandbox's test hangs (seen on JDK 25).
   */
  private void watchExit(Process process, String name) {
    Thread t = new Thread(() -> {
      while (true) {
        try {
          events.add(new SandboxEvent.Exited(process.waitFor()));
          return;
        } catch (InterruptedException e) {
          // only the JVM's shutdown interrupts daemon threads; keep waiting for the exit
        }
      }
    }, name);
    t.setDaemon(true);
    t.start();
  }

  private static String newToken() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
