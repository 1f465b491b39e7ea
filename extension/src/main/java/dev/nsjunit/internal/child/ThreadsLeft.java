package dev.nsjunit.internal.child;

/**
 * Tells, once the result is out, whether the test left threads of its own behind, so the child can
 * end by returning from main instead of calling {@code System.exit}.
 *
 * <p>Why not always exit: on JDK 21+ {@code Runtime.exit} first initializes the {@code
 * System.Logger} behind its debug log (JDK-8301627), which sets up java.util.logging: about 20 ms
 * of CPU in every child (JDK 25, perf stat: main returning 38 ms, {@code System.exit(0)} 60 ms). A
 * return ends the JVM through the same shutdown (the hooks run, the exit code is 0), but only once
 * no non-daemon thread is left, and a thread the test left running must never keep the sandbox
 * alive. So the child returns only when every thread but its own is a daemon that was already there
 * before the test (the JDK's: reference handler, finalizer, cleaner, signal dispatcher); anything
 * else, or any doubt (the snapshot overflowed, enumerating failed for want of memory), means {@code
 * System.exit}.
 *
 * <p>What it cannot see: a daemon from before the test that starts a non-daemon thread afterwards
 * (a finalizer or cleaner action of the test's that starts a thread and un-daemons it). The child
 * would then wait for that thread, and the parent reports it as not exiting by the test's deadline,
 * with the thread dump.
 */
final class ThreadsLeft {
  /** More live threads than this and the child does not try to tell: it exits. */
  private static final int CAPACITY = 256;

  private final ThreadGroup root;
  private final Thread[] before;
  private final int beforeCount;
  // Allocated up front: after a test that exhausted the heap there may be no room for it.
  private final Thread[] after = new Thread[CAPACITY];

  private ThreadsLeft(ThreadGroup root, Thread[] before, int beforeCount) {
    this.root = root;
    this.before = before;
    this.beforeCount = beforeCount;
  }

  /** Takes the snapshot; call it before the test starts. */
  static ThreadsLeft beforeTest() {
    ThreadGroup root = Thread.currentThread().getThreadGroup();
    while (root.getParent() != null) {
      root = root.getParent();
    }
    Thread[] before = new Thread[CAPACITY];
    return new ThreadsLeft(root, before, root.enumerate(before, true));
  }

  /**
   * Whether any live thread, besides the caller and {@code ours}, is not a daemon or was started
   * after the snapshot. True when it cannot tell.
   */
  boolean any(Thread ours) {
    if (beforeCount >= CAPACITY) {
      return true;
    }
    try {
      int count = root.enumerate(after, true);
      if (count >= CAPACITY) {
        return true;
      }
      Thread self = Thread.currentThread();
      for (int i = 0; i < count; i++) {
        Thread t = after[i];
        if (t != self && t != ours && t.isAlive() && (!t.isDaemon() || !existedBefore(t))) {
          return true;
        }
      }
      return false;
    } catch (Throwable cannotTell) {
      return true;
    }
  }

  private boolean existedBefore(Thread t) {
    for (int i = 0; i < beforeCount; i++) {
      if (before[i] == t) {
        return true;
      }
    }
    return false;
  }
}
