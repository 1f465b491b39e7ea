package dev.nsjunit.runners;

/**
 * Production code for the coverage check: {@link #fromSandbox} runs only inside sandboxes, so its
 * lines are covered only if the coverage agent reached the child JVMs.
 */
public final class Greeting {
  private Greeting() {}

  /** Called only by isolated tests, inside their sandboxes. */
  public static String fromSandbox(String who) {
    String pid = Long.toString(ProcessHandle.current().pid());
    return "hello " + who + " from pid " + pid;
  }

  /** Called only in the parent JVM. */
  public static String fromParent() {
    return "hello from the parent";
  }

  /** Never called: proves the coverage analysis can say "not covered". */
  public static String neverCalled() {
    return "nobody";
  }
}
