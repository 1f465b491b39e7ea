package dev.nsjunit.internal.child;

import dev.nsjunit.internal.channel.FrameWriter;
import dev.nsjunit.internal.channel.Message;
import dev.nsjunit.internal.channel.ThrowableData;
import java.util.Map;

/**
 * Records where a test called {@code System.exit}: a shutdown hook finds the thread that is blocked
 * in {@code Runtime.exit} and sends its stack to the parent before the JVM goes down. {@code
 * Runtime.halt} runs no hooks; the parent then reports the bare exit code.
 */
final class ExitRecorder {
  private final FrameWriter writer;
  private volatile boolean armed = true;

  private ExitRecorder(FrameWriter writer) {
    this.writer = writer;
  }

  static ExitRecorder install(FrameWriter writer) {
    ExitRecorder recorder = new ExitRecorder(writer);
    Runtime.getRuntime().addShutdownHook(new Thread(recorder::onShutdown, "nsjunit-exit-recorder"));
    return recorder;
  }

  /** The test finished normally; the exit that follows is nsjunit's own. */
  void disarm() {
    armed = false;
  }

  private void onShutdown() {
    if (!armed) {
      return;
    }
    for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
      StackTraceElement[] stack = e.getValue();
      int exitFrame = indexOfExitCall(stack);
      if (exitFrame >= 0) {
        StackTraceElement[] callSite = new StackTraceElement[stack.length - exitFrame];
        System.arraycopy(stack, exitFrame, callSite, 0, callSite.length);
        SystemExitCall call =
            new SystemExitCall("System.exit called in thread \"" + e.getKey().getName() + "\"");
        call.setStackTrace(callSite);
        try {
          writer.send(new Message.ExitCalled(ThrowableData.of(call)));
        } catch (Exception ignored) {
          // The parent still learns the exit code from the launcher.
        }
        return;
      }
    }
  }

  /** Index of the frame that called Runtime.exit/System.exit (the caller's frame included). */
  private static int indexOfExitCall(StackTraceElement[] stack) {
    for (int i = 0; i < stack.length; i++) {
      StackTraceElement f = stack[i];
      if (f.getClassName().equals("java.lang.Runtime") && f.getMethodName().equals("exit")) {
        // Skip System.exit too, so the top frame is the test's own call.
        int next = i + 1;
        if (next < stack.length
            && stack[next].getClassName().equals("java.lang.System")
            && stack[next].getMethodName().equals("exit")) {
          return next + 1 < stack.length ? next + 1 : next;
        }
        return next < stack.length ? next : i;
      }
    }
    return -1;
  }

  /** Carries the stack of a System.exit call to the parent. */
  static final class SystemExitCall extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SystemExitCall(String message) {
      super(message);
    }
  }
}
