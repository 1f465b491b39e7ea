package dev.nsjunit.internal.run;

import dev.nsjunit.SandboxFailedException;
import dev.nsjunit.SandboxFailedException.Reason;
import dev.nsjunit.internal.channel.ChannelEndpoint;
import dev.nsjunit.internal.channel.Message;
import dev.nsjunit.internal.channel.OutputMark;
import dev.nsjunit.internal.child.ChildMain;
import dev.nsjunit.internal.jvm.ChildClasspath;
import dev.nsjunit.internal.jvm.ClassDataSharing;
import dev.nsjunit.internal.jvm.DebugPort;
import dev.nsjunit.internal.jvm.InheritedJvmOptions;
import dev.nsjunit.internal.lab.LabAccess;
import dev.nsjunit.internal.lab.LabSession;
import dev.nsjunit.internal.lab.Labs;
import dev.nsjunit.internal.launcher.LauncherBinary;
import dev.nsjunit.internal.launcher.LauncherOption;
import dev.nsjunit.internal.launcher.LauncherProcess;
import dev.nsjunit.internal.limits.cgroup.CgroupLimits;
import dev.nsjunit.internal.namespaces.Namespace;
import dev.nsjunit.internal.spec.Configuration;
import dev.nsjunit.internal.spec.SandboxSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One sandbox, from spawn to teardown, driven from the test's own thread. {@link #run} reads as its
 * steps: check what the child JVM is made of, let each {@link SandboxFeature} prepare its part,
 * start the launcher, watch the sandbox until it is over ({@link SandboxWatch}), tear down.
 *
 * <p>Helper threads (channel, stdout, stderr, exit) only put {@link SandboxEvent}s in a queue; this
 * class consumes them in order on the test thread, so the child's output is written while the test
 * is current (build tools attribute output by thread) and every wait has a deadline.
 */
public final class SandboxRun {
  /** Receives what the sandbox produces while it runs. */
  public interface Listener {
    void output(boolean stderr, byte[] bytes);

    void reportEntry(Map<String, String> entries);
  }

  /**
   * What a sandbox is made of before it knows its test. Sandboxes of equal shapes are
   * interchangeable, so one started ahead of time ({@link WaitingSandboxes}) can take any test of
   * its shape; it is still used by one test only.
   */
  public record Shape(SandboxSpec spec, Configuration config, Class<?> testClass) {
    /**
     * A test's own lab is made for it, and a debugged child waits for a person: those start with
     * their test. A class's lab is there before its tests (or built ahead for them), so its hosts'
     * sandboxes can wait in it.
     */
    boolean canWait() {
      return spec.network().map(lab -> lab.sharedByClass().isPresent()).orElse(true)
          && config.debugPort().isEmpty()
          && config.prestart() > 0;
    }
  }

  /**
   * A started sandbox, its test not known yet: the launcher, the channel it will connect to, and
   * the events its helper threads queue until someone watches.
   */
  record Started(
      Teardown teardown,
      SandboxSetup setup,
      Process process,
      ChannelEndpoint endpoint,
      String token,
      Path statusFile,
      BlockingQueue<SandboxEvent> events,
      long launched,
      Optional<LabSession> session,
      ExecutorService networkCalls,
      AtomicReference<Listener> testListener) {
    /** Whether the child has said hello: ready for its run request. */
    boolean ready() {
      for (SandboxEvent e : events) {
        if (e instanceof SandboxEvent.Received r && r.message() instanceof Message.Hello) {
          return true;
        }
      }
      return false;
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A sandbox waiting for a debugger has no deadline: the person at the debugger decides. */
  private static final Duration WHILE_DEBUGGING = Duration.ofDays(365);

  private static final AtomicBoolean DEBUGGED_PARENT_TOLD = new AtomicBoolean();

  private final Shape shape;
  private final String testName;
  private final String uniqueId;
  private final Map<String, String> junitConfiguration;
  private final Listener listener;
  private final Optional<LabAccess> lab;
  private final boolean ownsLab;
  private final ExitingSandboxes.Group exits;

  /**
   * With {@code ownsLab}, the lab is this test's alone and is closed in its teardown (see {@link
   * Teardown}). A sandbox whose result comes before its exit is torn down in {@code exits}, its
   * class's.
   */
  public SandboxRun(
      SandboxSpec spec,
      Configuration config,
      Class<?> testClass,
      String testName,
      String uniqueId,
      Map<String, String> junitConfiguration,
      Listener listener,
      Optional<LabAccess> lab,
      boolean ownsLab,
      ExitingSandboxes.Group exits) {
    this.lab = lab;
    this.ownsLab = ownsLab;
    this.exits = exits;
    this.shape = new Shape(spec, config, testClass);
    this.testName = testName;
    this.uniqueId = uniqueId;
    this.junitConfiguration = junitConfiguration;
    this.listener = listener;
  }

  /**
   * Runs the test in a sandbox that was started for its shape ahead of time when there is one, else
   * in one started now; either way the sandbox is this test's alone and is torn down before the
   * result is reported.
   */
  public RunRecord run() throws InterruptedException {
    long requested = System.nanoTime();
    Optional<Started> waiting = ownsLab ? Optional.empty() : WaitingSandboxes.JVM.take(shape, lab);
    // This test has its sandbox or is about to start one: the tests after it get theirs now. From
    // a sandbox that is ready (said hello), once it has its run request: the next child's boot
    // then does not take the cores from the hand-over. Not from one still booting: the next boot
    // would start that much later (measured: 20 sequential tests, 270 -> 355 ms per test).
    Runnable taken = once(() -> UpcomingTests.taken(uniqueId));
    if (waiting.isEmpty() || !waiting.get().ready()) {
      taken.run();
    }
    if (waiting.isPresent()) {
      // The output of the lab's host processes is this test's.
      waiting.get().testListener().set(listener);
      try {
        return watchThenTearDown(waiting.get().teardown(), () -> waiting.get(), requested, taken);
      } finally {
        taken.run();
      }
    }
    Teardown teardown = new Teardown();
    if (ownsLab) {
      teardown.at(Teardown.Stage.LAB, lab.get()::close);
    }
    return watchThenTearDown(
        teardown,
        () -> start(shape, teardown, false, lab, new AtomicReference<>(listener), testName),
        requested,
        () -> {});
  }

  private static Runnable once(Runnable r) {
    AtomicBoolean done = new AtomicBoolean();
    return () -> {
      if (done.compareAndSet(false, true)) {
        r.run();
      }
    };
  }

  private interface Starting {
    Started start() throws InterruptedException;
  }

  /**
   * Watches the sandbox, then tears it down: at once, or, when its result came before its exit,
   * after its exit, in the background (ExitingSandboxes), so the result is reported first.
   */
  private RunRecord watchThenTearDown(
      Teardown teardown, Starting starting, long requested, Runnable runSent)
      throws InterruptedException {
    SandboxWatch watch;
    RunRecord record;
    try {
      watch = newWatch(starting.start(), requested, runSent);
      record = watch.watch();
    } catch (Throwable t) {
      try {
        teardown.close();
      } catch (RuntimeException e) {
        t.addSuppressed(e);
      }
      throw t;
    }
    if (watch.exitPending()) {
      exits.finish(watch, teardown, testName);
    } else {
      teardown.close();
    }
    return record;
  }

  /**
   * Whether the result may be reported when the child has sent it and marked its output complete,
   * before the child JVM exits. Not in a lab (its host processes and lab teardown are ordered with
   * the sandbox's), not when an OOM kill is expected (the kill is counted after the exit), not
   * under a debugger.
   */
  private boolean reportsBeforeExit() {
    return lab.isEmpty() && !shape.spec().expectOomKill() && shape.config().debugPort().isEmpty();
  }

  /**
   * Starts a sandbox for a test that comes later: no debugger, no test yet, and if it is on a host
   * of a class's lab, in that lab (built now if the class has none yet).
   */
  static Started startAhead(Shape shape, Teardown teardown) throws InterruptedException {
    Optional<LabAccess> lab =
        shape.spec().network().map(plan -> Labs.forSandboxStartedAhead(plan, shape.config()));
    return start(shape, teardown, true, lab, new AtomicReference<>(), null);
  }

  /**
   * The steps of one start. Each resource is registered with the teardown the moment it exists, so
   * a failure at any step undoes exactly what was made before it.
   */
  private static Started start(
      Shape shape,
      Teardown teardown,
      boolean ahead,
      Optional<LabAccess> lab,
      AtomicReference<Listener> testListener,
      String testName)
      throws InterruptedException {
    Configuration config = shape.config();
    ChildCommand.ChildJvm jvm = checkChildJvm(shape);
    RunDirectory dir = RunDirectory.get();
    Path launcher = LauncherBinary.path(config);
    SandboxSetup setup =
        new SandboxSetup(
            shape.spec(),
            config,
            dir.nextId(),
            dir,
            teardown,
            new SandboxSetup.ChildJvmPaths(
                Path.of(ChildCommand.javaExecutable(config)),
                jvm.classpath().entries(),
                Path.of(System.getProperty("user.dir"))),
            lab);
    try {
      for (SandboxFeature feature : SandboxFeatures.ALL) {
        feature.prepare(setup);
      }
      return launch(ahead, shape, setup, launcher, jvm, teardown, testListener, testName);
    } catch (IOException e) {
      throw new SandboxFailedException(
          Reason.SETUP_FAILED,
          "could not prepare the sandbox's files in " + dir.path() + ": " + e.getMessage(),
          e);
    }
  }

  /** What the child runs with, checked before anything is started or created. */
  private static ChildCommand.ChildJvm checkChildJvm(Shape shape) {
    Class<?> testClass = shape.testClass();
    ChildClasspath classpath = ChildClasspath.of(testClass);
    ChildClasspath.problem(testClass, classpath)
        .ifPresent(
            problem -> {
              throw new SandboxFailedException(Reason.SETUP_FAILED, problem);
            });
    InheritedJvmOptions.Result inherited =
        InheritedJvmOptions.forSandbox(
            new InheritedJvmOptions.Sandbox(
                shape.spec().limits().memoryBytes(),
                testClass.getName(),
                testClass.desiredAssertionStatus()));
    if (inherited.parentIsDebugged()
        && shape.config().debugPort().isEmpty()
        && DEBUGGED_PARENT_TOLD.compareAndSet(false, true)) {
      System.err.println(
          "nsjunit: this test JVM runs under a debugger, which does not reach into sandboxes: isolated"
              + " tests run in child JVMs. To debug one, set the configuration parameter nsjunit.debug=<port> (docs/runners.md).");
    }
    return new ChildCommand.ChildJvm(classpath, inherited, List.of());
  }

  private static Started launch(
      boolean ahead,
      Shape shape,
      SandboxSetup setup,
      Path launcher,
      ChildCommand.ChildJvm jvm,
      Teardown teardown,
      AtomicReference<Listener> testListener,
      String testName)
      throws IOException, InterruptedException {
    Configuration config = shape.config();
    RunDirectory dir = setup.directory();
    int id = setup.id();
    String token = newToken();
    Path socket = dir.file("s" + id + ".sock");
    Path statusFile = dir.file("s" + id + ".status");
    teardown.at(Teardown.Stage.RUN_DIRECTORY, () -> Files.deleteIfExists(statusFile));
    teardown.at(
        Teardown.Stage.RUN_DIRECTORY, () -> Files.deleteIfExists(dir.file("cp-" + id + ".args")));
    DebugPort debug =
        config.debugPort().isPresent()
            ? DebugPort.open(
                config.debugPort().get(),
                shape.spec().has(Namespace.NET) || setup.lab().isPresent())
            : null;
    if (debug != null) {
      teardown.at(Teardown.Stage.CHILD, debug::close);
    }
    BlockingQueue<SandboxEvent> events = new LinkedBlockingQueue<>();
    ChannelEndpoint endpoint = ChannelEndpoint.open(socket, events, "nsjunit-channel-" + id);
    // No child will ever connect after it ended (or never started): free the socket and its thread.
    teardown.at(Teardown.Stage.CHILD, endpoint::close);
    List<String> command = new ArrayList<>();
    command.add(launcher.toString());
    command.addAll(setup.launcherOptions());
    command.addAll(LauncherOption.CHDIR.with(System.getProperty("user.dir")));
    command.addAll(LauncherOption.STATUS_FILE.with(statusFile.toString()));
    command.add("--");
    command.addAll(childJvmCommand(ahead, shape, jvm, debug, socket, token, dir, id, launcher));
    long launched = System.nanoTime();
    Process process = startLauncher(command, launcher, dir, teardown);
    if (debug != null) {
      debug.relayInto(process);
      System.err.println(debug.announcement(testName));
    }
    byte[] mark = OutputMark.of(token);
    pump(events, process.getInputStream(), false, mark, "nsjunit-stdout-" + id);
    pump(events, process.getErrorStream(), true, mark, "nsjunit-stderr-" + id);
    watchExit(events, process, "nsjunit-exit-" + id);
    Optional<LabSession> session =
        setup.lab().map(l -> startLabSession(config, l, launcher, jvm, teardown, testListener));
    ExecutorService networkCalls = session.isPresent() ? networkCallThreads(id, teardown) : null;
    return new Started(
        teardown,
        setup,
        process,
        endpoint,
        token,
        statusFile,
        events,
        launched,
        session,
        networkCalls,
        testListener);
  }

  /** Gives the started sandbox its test and watches it until it is over. */
  private SandboxWatch newWatch(Started started, long requested, Runnable runSent) {
    Configuration config = shape.config();
    Duration timeout =
        config.debugPort().isPresent()
            ? WHILE_DEBUGGING
            : shape.spec().timeout().orElse(config.timeout());
    Duration bootTimeout = config.debugPort().isPresent() ? WHILE_DEBUGGING : config.bootTimeout();
    SandboxWatch.Run run =
        new SandboxWatch.Run(
            started.process(),
            started.endpoint(),
            started.token(),
            uniqueId,
            junitConfiguration,
            timeout,
            bootTimeout,
            requested,
            started.launched(),
            started.statusFile(),
            started.setup().cgroup(),
            shape.spec().limits(),
            started.session(),
            started.networkCalls(),
            reportsBeforeExit(),
            runSent);
    return new SandboxWatch(run, started.events(), listener);
  }

  /**
   * A child started ahead warms JUnit up while it waits (ProbeRun), unless its limits are ones the
   * warm-up would spend or change: a process count or descriptors under a limit (a test of pid or
   * descriptor exhaustion counts what it has left), a memory limit small enough that JUnit's start
   * matters in it, an expected OOM kill. CPU bandwidth and CPU sets only slow the warm-up down, and
   * the test's own JUnit start would pay the same.
   */
  private static boolean warmsUp(SandboxSpec spec) {
    CgroupLimits limits = spec.limits();
    return limits.pids().isEmpty()
        && limits.memoryBytes().orElse(Long.MAX_VALUE) >= WARM_UP_MEMORY_FLOOR
        && spec.rlimits().isEmpty()
        && !spec.expectOomKill();
  }

  /** The smallest memory limit a warm-up runs under (JUnit's start uses some 30 MiB). */
  private static final long WARM_UP_MEMORY_FLOOR = 256L << 20;

  /**
   * The child JVM's argv; class-data sharing covers class path runs (the JDK turns it off with
   * module graph options).
   */
  private static List<String> childJvmCommand(
      boolean ahead,
      Shape shape,
      ChildCommand.ChildJvm jvm,
      DebugPort debug,
      Path socket,
      String token,
      RunDirectory dir,
      int id,
      Path launcher)
      throws IOException {
    Configuration config = shape.config();
    ClassDataSharing.Plan sharing =
        ClassDataSharing.plan(
            ChildCommand.javaExecutable(config),
            launcher,
            config.classDataSharing()
                && !jvm.inherited().modular()
                && !InheritedJvmOptions.configuresSharing(config.jvmArgs())
                && !InheritedJvmOptions.configuresSharing(shape.spec().jvmArgs()),
            ChildCommand.childRunsThisJdk(config),
            jvm.classpath().asString(),
            ChildCommand.archivedModuleOptions(shape.spec(), config, jvm),
            config.lambdaClasses());
    List<String> extra = new ArrayList<>(debug == null ? List.of() : debug.jvmOptions());
    if (ahead && warmsUp(shape.spec())) {
      extra.add("-D" + ChildMain.WARM_UP_PROPERTY + "=true");
    }
    return ChildCommand.javaCommand(
        shape.spec(),
        config,
        new ChildCommand.ChildJvm(jvm.classpath(), jvm.inherited(), extra),
        socket,
        token,
        dir.path(),
        id,
        sharing);
  }

  private static Process startLauncher(
      List<String> command, Path launcher, RunDirectory dir, Teardown teardown) {
    Process process;
    try {
      ProcessBuilder builder = new ProcessBuilder(command);
      ChildCommand.trimEnvironment(builder.environment());
      process = builder.start();
    } catch (IOException e) {
      throw new SandboxFailedException(
          Reason.SETUP_FAILED,
          "could not start the nsjunit launcher "
              + launcher
              + ": "
              + e.getMessage()
              + (e.getMessage() != null && e.getMessage().contains("Permission denied")
                  ? " (is "
                      + dir.path()
                      + " on a file system mounted noexec? set java.io.tmpdir to another directory)"
                  : ""),
          e);
    }
    // First of all: the launcher, and with it every process of the sandbox.
    teardown.at(
        Teardown.Stage.CHILD,
        () -> {
          if (process.isAlive()) {
            LauncherProcess.stop(process);
          }
        });
    return process;
  }

  /** Host processes end with the test; their output becomes the test's output. */
  private static LabSession startLabSession(
      Configuration config,
      LabAccess access,
      Path launcher,
      ChildCommand.ChildJvm jvm,
      Teardown teardown,
      AtomicReference<Listener> testListener) {
    LabSession session =
        new LabSession(
            access.lab(),
            ChildCommand.hostProcesses(launcher, access, config, jvm.classpath(), jvm.inherited()));
    teardown.at(
        Teardown.Stage.LAB,
        () ->
            session.close(
                (who, text) -> {
                  // A sandbox discarded before any test took it started no host process.
                  Listener listener = testListener.get();
                  if (listener != null) {
                    listener.output(
                        false,
                        ("[" + who + "] " + text.strip().replace("\n", "\n[" + who + "] ") + "\n")
                            .getBytes(StandardCharsets.UTF_8));
                  }
                }));
    return session;
  }

  private static ExecutorService networkCallThreads(int id, Teardown teardown) {
    ExecutorService threads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "nsjunit-network-" + id);
              t.setDaemon(true);
              return t;
            });
    teardown.at(Teardown.Stage.LAB, threads::shutdownNow);
    return threads;
  }

  private static void pump(
      BlockingQueue<SandboxEvent> events,
      InputStream stream,
      boolean stderr,
      byte[] mark,
      String name) {
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[8192];
              OutputMark.Scanner scanner = new OutputMark.Scanner(mark);
              try (stream) {
                int n;
                while ((n = stream.read(buffer)) > 0) {
                  OutputMark.Scanner.Scan scan = scanner.scan(buffer, n);
                  output(events, stderr, scan.before());
                  if (scan.markFound()) {
                    events.add(new SandboxEvent.OutputComplete(stderr));
                    output(events, stderr, scan.after());
                  }
                }
              } catch (IOException ignored) {
                // stream closed: the process is gone
              }
              output(events, stderr, scanner.flush());
              events.add(new SandboxEvent.OutputEnded(stderr));
            },
            name);
    t.setDaemon(true);
    t.start();
  }

  private static void output(BlockingQueue<SandboxEvent> events, boolean stderr, byte[] bytes) {
    if (bytes.length > 0) {
      events.add(new SandboxEvent.Output(stderr, bytes));
    }
  }

  /**
   * A thread of its own waits for the launcher, not {@code Process.onExit()}: the JDK completes
   * that future with {@code handleAsync} on the common ForkJoin pool, so when the pool's workers
   * are busy (one worker on two cores, taken by a test that runs from the pool and waits here) the
   * exit is never seen and the sandbox's test hangs (seen on JDK 25).
   */
  private static void watchExit(BlockingQueue<SandboxEvent> events, Process process, String name) {
    Thread t =
        new Thread(
            () -> {
              while (true) {
                try {
                  events.add(new SandboxEvent.Exited(process.waitFor()));
                  return;
                } catch (InterruptedException e) {
                  // only the JVM's shutdown interrupts daemon threads; keep waiting for the exit
                }
              }
            },
            name);
    t.setDaemon(true);
    t.start();
  }

  /**
   * Sets up the token generator (the JDK's provider lookup, the kernel's random source) ahead of
   * the first sandbox: {@link HeadStart}.
   */
  static void prepareTokens() {
    newToken();
  }

  private static String newToken() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
