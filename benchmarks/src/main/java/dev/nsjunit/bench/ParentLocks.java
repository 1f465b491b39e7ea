package dev.nsjunit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * How long this JVM's threads waited for locks while a suite ran: every contended {@code
 * synchronized} enter ({@code jdk.JavaMonitorEnter}) and every park inside a lock's or a
 * semaphore's acquisition ({@code jdk.ThreadPark} under {@code ReentrantLock}, a read/write lock,
 * {@code StampedLock} or {@code Semaphore}), all with JFR's threshold at zero. A park that waits
 * for an event instead (a future, a condition, a latch, an idle pool thread) is not a lock and is
 * left out. Each wait is charged to the first frame outside the JDK below the lock: nsjunit's,
 * JUnit's or another's.
 */
final class ParentLocks {
  /** Lock classes whose acquisition parks; a frame of one of them makes a park a lock wait. */
  private static final Set<String> LOCK_TYPES =
      Set.of(
          "java.util.concurrent.locks.ReentrantLock",
          "java.util.concurrent.locks.ReentrantLock$Sync",
          "java.util.concurrent.locks.ReentrantReadWriteLock$ReadLock",
          "java.util.concurrent.locks.ReentrantReadWriteLock$WriteLock",
          "java.util.concurrent.locks.StampedLock",
          "java.util.concurrent.Semaphore");

  /** Waits of one run, per test (ms, summed over threads), by owner and by site. */
  record Waits(
      int tests,
      long events,
      double totalMs,
      Map<String, Double> byOwner,
      Map<String, Double> bySite) {
    /** The sites that waited longest, most first. */
    List<Map.Entry<String, Double>> top(int n) {
      return bySite.entrySet().stream()
          .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
          .limit(n)
          .collect(Collectors.toList());
    }
  }

  private ParentLocks() {}

  /** Runs {@code run} (which runs {@code tests} tests) under a JFR recording of lock waits. */
  static Waits during(Path work, int tests, Callable<?> run) throws Exception {
    Path file = Files.createTempFile(work, "parent-locks", ".jfr");
    try (Recording recording = new Recording()) {
      recording.enable("jdk.JavaMonitorEnter").withThreshold(Duration.ZERO).withStackTrace();
      recording.enable("jdk.ThreadPark").withThreshold(Duration.ZERO).withStackTrace();
      recording.start();
      run.call();
      recording.stop();
      recording.dump(file);
      return waitsIn(file, tests);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  static Waits waitsIn(Path file, int tests) throws IOException {
    long events = 0;
    double total = 0;
    Map<String, Double> byOwner = new LinkedHashMap<>();
    Map<String, Double> bySite = new LinkedHashMap<>();
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      String kind;
      if (e.getEventType().getName().equals("jdk.JavaMonitorEnter")) {
        kind = "synchronized";
      } else if (isLockAcquisition(e.getStackTrace())) {
        kind = "lock";
      } else {
        continue;
      }
      if (kind.equals("synchronized")
          && e.hasField("monitorClass")
          && e.getClass("monitorClass") != null) {
        kind += " (" + e.getClass("monitorClass").getName() + ")";
      }
      double ms = e.getDuration().toNanos() / 1e6 / tests;
      RecordedFrame site = firstFrame(e.getStackTrace(), true);
      // A wait with only the JDK's frames (its own threads) is named by its first frame instead.
      RecordedFrame named = site != null ? site : firstFrame(e.getStackTrace(), false);
      String where =
          named == null
              ? "a thread without Java frames"
              : named.getMethod().getType().getName()
                  + "."
                  + named.getMethod().getName()
                  + (named.getLineNumber() > 0 ? ":" + named.getLineNumber() : "");
      events++;
      total += ms;
      byOwner.merge(owner(site), ms, Double::sum);
      bySite.merge(kind + " in " + where, ms, Double::sum);
    }
    return new Waits(tests, events, total, byOwner, bySite);
  }

  private static boolean isLockAcquisition(RecordedStackTrace stack) {
    if (stack == null) {
      return false;
    }
    for (RecordedFrame f : stack.getFrames()) {
      String type = f.getMethod().getType().getName();
      if (type.equals("java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject")
          || type.equals("java.util.concurrent.CountDownLatch")) {
        return false; // waiting for a signal, not for a lock
      }
      if (LOCK_TYPES.contains(type)) {
        return true;
      }
    }
    return false;
  }

  /** The first Java frame from the top, outside the JDK if {@code outsideJdk}; null if none. */
  private static RecordedFrame firstFrame(RecordedStackTrace stack, boolean outsideJdk) {
    if (stack == null) {
      return null;
    }
    return stack.getFrames().stream()
        .filter(RecordedFrame::isJavaFrame)
        .filter(f -> !outsideJdk || !isJdk(f.getMethod().getType().getName()))
        .findFirst()
        .orElse(null);
  }

  private static boolean isJdk(String type) {
    return type.startsWith("java.") || type.startsWith("jdk.") || type.startsWith("sun.");
  }

  static String owner(RecordedFrame site) {
    if (site == null) {
      return "the JDK";
    }
    String type = site.getMethod().getType().getName();
    if (type.startsWith("dev.nsjunit.bench.")) {
      return "the harness";
    }
    if (type.startsWith("dev.nsjunit.")) {
      return "nsjunit";
    }
    if (type.startsWith("org.junit.")) {
      return "JUnit";
    }
    return "other";
  }

  /** Owners in a fixed order, for the page. */
  static final Comparator<String> OWNER_ORDER =
      Comparator.comparingInt(
          o -> List.of("nsjunit", "JUnit", "the harness", "other", "the JDK").indexOf(o));
}
