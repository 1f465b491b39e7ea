package dev.nsjunit.internal.child;

import dev.nsjunit.internal.channel.FrameCodec;
import dev.nsjunit.internal.channel.FrameWriter;
import dev.nsjunit.internal.channel.Message;
import dev.nsjunit.internal.channel.OutputMark;
import dev.nsjunit.internal.channel.SocketStreams;
import dev.nsjunit.internal.channel.ThrowableData;
import dev.nsjunit.internal.lab.NetworkCalls;
import java.io.BufferedInputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The entry point of the child JVM inside the sandbox.
 *
 * <p>It connects to the parent's channel, says hello, learns the one test to run, runs it with
 * junit-platform-launcher, reports the outcome and exits. Arguments: the channel's socket path and
 * the sandbox's token.
 */
public final class ChildMain {
  /** Set in every child JVM; the extension runs tests in place when it sees it (no recursion). */
  public static final String SANDBOXED_PROPERTY = "nsjunit.sandboxed";

  /** Exit code when the child itself (not the test) failed; explained on stderr. */
  static final int CHILD_ERROR_EXIT = 70;

  /** Disarmed before nsjunit's own exits, so they are never reported as the test's System.exit. */
  private static volatile ExitRecorder exitRecorder;

  private ChildMain() {}

  /**
   * {@code System.nanoTime()} when main began and when the run request came: a sandbox started
   * ahead of its test waits in between. On Linux nanoTime is CLOCK_MONOTONIC, comparable between
   * processes outside a time namespace (the benchmarks split a test's time with these).
   */
  public static final String STARTED_NANOS_PROPERTY = "nsjunit.childStartedNanos";

  public static final String RUN_RECEIVED_NANOS_PROPERTY = "nsjunit.runReceivedNanos";

  /**
   * {@code System.nanoTime()} when the child said hello: from then on it is ready, and the wait for
   * its run request is the parent's (the benchmarks count it as nsjunit's own time).
   */
  public static final String HELLO_SENT_NANOS_PROPERTY = "nsjunit.helloSentNanos";

  /**
   * Set on a child started ahead of its test without limits: it runs a probe test through JUnit
   * before it says hello, so its own test finds JUnit loaded, initialized and compiled.
   */
  public static final String WARM_UP_PROPERTY = "nsjunit.warmUp";

  public static void main(String[] args) {
    long started = System.nanoTime();
    if (args.length != 2) {
      System.err.println(
          "nsjunit child: expected <socket path> <token>, got " + args.length + " arguments");
      System.exit(CHILD_ERROR_EXIT);
    }
    System.setProperty(SANDBOXED_PROPERTY, "true");
    System.setProperty(STARTED_NANOS_PROPERTY, Long.toString(started));
    try {
      run(Path.of(args[0]), args[1]);
    } catch (Throwable t) {
      ExitRecorder recorder = exitRecorder;
      if (recorder != null) {
        recorder.disarm();
      }
      System.err.println("nsjunit child: " + t);
      t.printStackTrace();
      System.exit(CHILD_ERROR_EXIT);
    }
  }

  private static void run(Path socket, String token) throws IOException {
    OutputCompletion completion = new OutputCompletion(OutputMark.of(token));
    // Before the run request, not after it: a child started ahead does this while it waits.
    warmUpReportPath();
    if (Boolean.getBoolean(WARM_UP_PROPERTY)) {
      ProbeRun.warmUp();
    }
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    channel.connect(UnixDomainSocketAddress.of(socket));
    InputStream in = new BufferedInputStream(SocketStreams.input(channel));
    FrameWriter writer = FrameWriter.over(channel);
    System.setProperty(HELLO_SENT_NANOS_PROPERTY, Long.toString(System.nanoTime()));
    writer.send(new Message.Hello(FrameCodec.VERSION, token));

    Message first = FrameCodec.read(in);
    if (!(first instanceof Message.Run)) {
      throw new IOException("expected a run request from the parent, got " + first);
    }
    Message.Run run = (Message.Run) first;
    System.setProperty(RUN_RECEIVED_NANOS_PROPERTY, Long.toString(System.nanoTime()));

    NetworkCalls.connect(writer);
    exitRecorder = ExitRecorder.install(writer);
    Thread requests = new Thread(() -> serveRequests(in, writer), "nsjunit-channel");
    requests.setDaemon(true);
    requests.start();

    Message.Result result;
    try {
      result = new OneTestRun(run.uniqueId(), run.configuration(), writer).execute();
    } catch (Throwable unrecoverable) {
      // JUnit rethrows what it deems unrecoverable (OutOfMemoryError) out of the whole run; by
      // now the stack has unwound, the test's garbage is collectable and the error is the result.
      result = new Message.Result(Message.Status.FAILED, ThrowableData.of(unrecoverable), null);
    }
    exitRecorder.disarm();
    completion.mark();
    writer.send(result);
    writer.send(new Message.Bye());
    // Close the channel first: the request thread is blocked in a native read, and HotSpot's exit
    // waits up to 300 ms for threads in native code to stop (VM_Exit); a closed socket frees it.
    channel.close();
    // System.exit, not a return: threads the test left running must not keep the sandbox alive.
    System.exit(0);
  }

  /**
   * Loads and runs once everything the child needs after the test, while it can: a test that
   * exhausts file descriptors (@Rlimit nofile) or memory must still get its result out, and loading
   * a class from a directory on the classpath needs a free descriptor.
   *
   * <p>Not the Java serialization of a failure ({@link ThrowableData#of}): its first use costs a
   * child about 45 ms of CPU (JDK 17: the stream classes' set-up and a generated constructor
   * accessor per class), every child would pay it and only a failing test needs it. It reads no
   * file (the JDK's classes are mapped) and the failure's classes are loaded by then (what
   * OutcomeTest's test that holds every descriptor checks); the class-data dump runs it, so its
   * classes come from the archive.
   */
  private static void warmUpReportPath() throws IOException {
    java.io.OutputStream sink = java.io.OutputStream.nullOutputStream();
    IllegalStateException sample = new IllegalStateException("warm-up");
    sample.addSuppressed(new RuntimeException("suppressed"));
    ThrowableData data =
        new ThrowableData(
            sample.getClass().getName(),
            sample.getMessage(),
            List.of(sample.getStackTrace()),
            null,
            List.of(
                new ThrowableData(
                    RuntimeException.class.getName(),
                    "suppressed",
                    List.of(),
                    null,
                    List.of(),
                    null)),
            new byte[] {0});
    FrameCodec.write(sink, new Message.Result(Message.Status.FAILED, data, "warm-up"));
    FrameCodec.write(sink, new Message.ExitCalled(data));
    FrameCodec.write(sink, new Message.ReportEntry(java.util.Map.of("k", "v")));
    FrameCodec.write(sink, new Message.ThreadDump(ThreadDump.ofAllThreads()));
    FrameCodec.write(sink, new Message.Bye());
    // The run request is read right after the hello, on the test's clock: decode one here first.
    java.io.ByteArrayOutputStream request = new java.io.ByteArrayOutputStream();
    FrameCodec.write(
        request,
        new Message.Run("[engine:warm-up]", new java.util.LinkedHashMap<>(Map.of("k", "v"))));
    FrameCodec.read(new java.io.ByteArrayInputStream(request.toByteArray()));
    for (Message.Status status : Message.Status.values()) {
      status.name();
    }
  }

  /**
   * The channel's first exchange, both ends in this JVM over a socket in {@code directory}:
   * connect, hello, run request. The class-data dump runs it ({@code CdsWarmUp}), so that every
   * child maps the classes of this path from the archive instead of loading them (the JDK's
   * Unix-domain socket classes, the frames): without them a child's connect took about 10 ms and
   * its first frame about 1 ms, the hello's on the test's clock. Also the report path, as a child
   * does before it connects.
   */
  static void rehearseChannel(Path directory) throws IOException {
    warmUpReportPath();
    IllegalStateException failure = new IllegalStateException("rehearsal");
    failure.addSuppressed(new RuntimeException("suppressed"));
    ThrowableData.of(failure); // the serialization a failing test's report uses

    Path socket = directory.resolve("channel-rehearsal-" + System.nanoTime() + ".sock");
    UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(address);
      try (SocketChannel child = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        child.connect(address);
        try (SocketChannel parent = server.accept()) {
          FrameWriter.over(child).send(new Message.Hello(FrameCodec.VERSION, "rehearsal"));
          FrameCodec.read(new BufferedInputStream(SocketStreams.input(parent)));
          FrameWriter.over(parent).send(new Message.Run("[engine:rehearsal]", Map.of("k", "v")));
          FrameCodec.read(new BufferedInputStream(SocketStreams.input(child)));
        }
      }
    } finally {
      java.nio.file.Files.deleteIfExists(socket);
    }
  }

  /**
   * Tells the parent that the test's output is all out: flushes what the test may have buffered,
   * then writes the mark (see {@link OutputMark}) straight to descriptors 1 and 2, behind it. Made
   * before the test (no allocation, no descriptor needed after it), for the same reasons as {@link
   * #warmUpReportPath}.
   */
  private static final class OutputCompletion {
    private final byte[] mark;
    private final PrintStream originalOut = System.out;
    private final PrintStream originalErr = System.err;
    private final FileOutputStream fd1 = new FileOutputStream(FileDescriptor.out);
    private final FileOutputStream fd2 = new FileOutputStream(FileDescriptor.err);

    OutputCompletion(byte[] mark) {
      this.mark = mark;
    }

    void mark() {
      System.out.flush();
      System.err.flush();
      originalOut.flush();
      originalErr.flush();
      write(fd1);
      write(fd2);
    }

    private void write(FileOutputStream fd) {
      try {
        fd.write(mark);
      } catch (IOException e) {
        // The test closed it: the parent waits for the stream's end instead, as for a crash.
      }
    }
  }

  /** Answers the parent's requests while the test runs (thread dumps before a timeout kill). */
  private static void serveRequests(InputStream in, FrameWriter writer) {
    try {
      for (Message m = FrameCodec.read(in); m != null; m = FrameCodec.read(in)) {
        if (m instanceof Message.DumpThreads) {
          writer.send(new Message.ThreadDump(ThreadDump.ofAllThreads()));
        } else if (m instanceof Message.NetworkAnswer a) {
          NetworkCalls.answered(a);
        }
      }
    } catch (IOException e) {
      // The parent went away or the sandbox is being torn down; nothing to answer any more.
    }
  }
}
