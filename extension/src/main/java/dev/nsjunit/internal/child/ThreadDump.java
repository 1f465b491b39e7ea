package dev.nsjunit.internal.child;

import java.util.Map;

/** A jstack-like text of every thread, for a test that is about to be killed for a timeout. */
final class ThreadDump {
  private ThreadDump() {}

  static String ofAllThreads() {
    StringBuilder text = new StringBuilder();
    for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
      Thread t = e.getKey();
      if (t.getName().startsWith("nsjunit-")) {
        continue;
      }
      text.append('"')
          .append(t.getName())
          .append('"')
          .append(t.isDaemon() ? " daemon" : "")
          .append(" state=")
          .append(t.getState())
          .append('\n');
      for (StackTraceElement f : e.getValue()) {
        text.append("\tat ").append(f).append('\n');
      }
      text.append('\n');
    }
    return text.toString();
  }
}
