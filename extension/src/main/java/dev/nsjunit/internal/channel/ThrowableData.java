package dev.nsjunit.internal.channel;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * An exception as it crosses the channel: enough to print it faithfully (class, message, stack,
 * causes, suppressed) even where its class cannot be loaded, plus its Java serialization when it
 * has one, so that the parent can rebuild the real object (an AssertionFailedError with its
 * expected and actual values, for the IDE's diff).
 */
public record ThrowableData(
    String className,
    String message,
    List<StackTraceElement> stackTrace,
    ThrowableData cause,
    List<ThrowableData> suppressed,
    byte[] serialized) {

  /** Bounds the cause/suppressed graph that is copied (cycles and absurd chains). */
  static final int MAX_DEPTH = 32;

  public static ThrowableData of(Throwable t) {
    return of(t, true, Collections.newSetFromMap(new IdentityHashMap<>()), 0);
  }

  private static ThrowableData of(Throwable t, boolean serialize, Set<Throwable> seen, int depth) {
    seen.add(t);
    ThrowableData cause = null;
    if (t.getCause() != null && !seen.contains(t.getCause()) && depth < MAX_DEPTH) {
      cause = of(t.getCause(), false, seen, depth + 1);
    }
    List<ThrowableData> suppressed = new ArrayList<>();
    for (Throwable s : t.getSuppressed()) {
      if (!seen.contains(s) && depth < MAX_DEPTH) {
        suppressed.add(of(s, false, seen, depth + 1));
      }
    }
    return new ThrowableData(
        t.getClass().getName(),
        t.getMessage(),
        List.of(t.getStackTrace()),
        cause,
        suppressed,
        serialize ? serialize(t) : null);
  }

  private static byte[] serialize(Throwable t) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(t);
      }
      return bytes.size() <= FrameCodec.MAX_FRAME / 4 ? bytes.toByteArray() : null;
    } catch (Exception | StackOverflowError notSerializable) {
      return null; // the placeholder will be used; this is expected for many exception types
    }
  }
}
