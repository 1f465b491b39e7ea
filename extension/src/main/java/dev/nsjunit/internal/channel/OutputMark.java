package dev.nsjunit.internal.channel;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes a child writes to its stdout and its stderr after its test, before its result: when the
 * parent has read them on both streams, everything the test printed has been forwarded, and the
 * result can be reported without waiting for the child JVM to exit (its exit and the sandbox's
 * teardown go on after). The sandbox's token makes the mark one that output cannot contain by
 * chance; the parent strips it.
 *
 * <p>Its first byte, NUL, occurs in it only once more, as its last: a stream can be scanned for it
 * one byte at a time, starting over on a mismatch, without missing an occurrence.
 */
public final class OutputMark {
  private OutputMark() {}

  public static byte[] of(String token) {
    return ("\0nsjunit:output-complete:" + token + "\0").getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Finds the mark in a stream read in chunks. Bytes that may be the start of the mark are held
   * back until the next chunk decides; {@link #flush} returns them at the end of the stream.
   */
  public static final class Scanner {
    private final byte[] mark;
    private int matched;
    private boolean found;

    public Scanner(byte[] mark) {
      this.mark = mark;
    }

    /** What the chunk holds for the reader, and whether the mark was in it. */
    public record Scan(byte[] before, boolean markFound, byte[] after) {}

    /**
     * Scans {@code n} bytes of {@code chunk}. Before the mark is found, returns the bytes that are
     * output for certain; once it is, {@code markFound} is set and the bytes after it (from then on
     * nothing is held back).
     */
    public Scan scan(byte[] chunk, int n) {
      if (found) {
        return new Scan(Arrays.copyOf(chunk, n), false, new byte[0]);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(n + matched);
      for (int i = 0; i < n; i++) {
        byte b = chunk[i];
        if (b == mark[matched]) {
          matched++;
          if (matched == mark.length) {
            found = true;
            matched = 0;
            return new Scan(out.toByteArray(), true, Arrays.copyOfRange(chunk, i + 1, n));
          }
          continue;
        }
        if (matched > 0) {
          out.write(mark, 0, matched); // not the mark after all: what was held back is output
          matched = 0;
        }
        if (b == mark[0]) {
          matched = 1;
        } else {
          out.write(b);
        }
      }
      return new Scan(out.toByteArray(), false, new byte[0]);
    }

    /** At the end of the stream: what was held back as a possible start of the mark. */
    public byte[] flush() {
      byte[] held = Arrays.copyOf(mark, matched);
      matched = 0;
      return held;
    }
  }
}
