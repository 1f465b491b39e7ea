package dev.nsjunit.internal.channel;

import java.util.Map;

/**
 * What travels between the parent and the sandboxed child JVM, one message per frame.
 *
 * <p>The child boots, says {@link Hello}, and only then learns which test to run ({@link Run}): a
 * child can be started before its test is known.
 */
public sealed interface Message {

  /**
   * Child to parent, first frame: protocol version and the sandbox's secret token. Nothing more:
   * version 1 also sent the child's pid, which the parent never read and which cost the child its
   * first use of {@code ProcessHandle} (about 6 ms) on the test's clock.
   */
  record Hello(int version, String token) implements Message {}

  /** Parent to child: the unique id of the one test to run, and JUnit configuration parameters. */
  record Run(String uniqueId, Map<String, String> configuration) implements Message {}

  /** Child to parent: a report entry the test published. */
  record ReportEntry(Map<String, String> entries) implements Message {}

  /** Child to parent: how the test ended. */
  record Result(Status status, ThrowableData throwable, String reason) implements Message {}

  /** Child to parent: the test's code called System.exit; the stack of that call. */
  record ExitCalled(ThrowableData callSite) implements Message {}

  /** Parent to child: dump your threads (the sandbox is about to be killed for a timeout). */
  record DumpThreads() implements Message {}

  /** Child to parent: a thread dump. */
  record ThreadDump(String text) implements Message {}

  /**
   * Child to parent: a request of the test's {@code Network} (a fault on a link, a process on
   * another host). The parent owns the network lab, so it carries these out and answers.
   */
  record NetworkCall(int id, String operation, java.util.List<String> arguments)
      implements Message {}

  /** Parent to child: the answer to a {@link NetworkCall}: a value, or an error message. */
  record NetworkAnswer(int id, String value, String error) implements Message {}

  /** Child to parent: last frame, the child is about to exit normally. */
  record Bye() implements Message {}

  /** Outcome of the one test in the child, in JUnit's terms. */
  enum Status {
    SUCCESSFUL,
    FAILED,
    ABORTED,
    SKIPPED
  }
}
