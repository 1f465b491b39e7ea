package dev.nsjunit.internal.run;

import java.nio.charset.StandardCharsets;

/** Keeps the last few KiB of a stream, to explain a death without flooding the message. */
final class OutputTail {
  private static final int LIMIT = 8 * 1024;
  private static final int LINES = 30;
  private final byte[] buffer = new byte[LIMIT];
  private int size;

  void append(byte[] bytes) {
    if (bytes.length >= LIMIT) {
      System.arraycopy(bytes, bytes.length - LIMIT, buffer, 0, LIMIT);
      size = LIMIT;
      return;
    }
    int overflow = size + bytes.length - LIMIT;
    if (overflow > 0) {
      System.arraycopy(buffer, overflow, buffer, 0, size - overflow);
      size -= overflow;
    }
    System.arraycopy(bytes, 0, buffer, size, bytes.length);
    size += bytes.length;
  }

  /** The last {@value #LINES} lines. */
  String lastLines() {
    String text = new String(buffer, 0, size, StandardCharsets.UTF_8);
    String[] lines = text.split("\n", -1);
    int from = Math.max(0, lines.length - LINES - 1);
    return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length)).strip();
  }
}
