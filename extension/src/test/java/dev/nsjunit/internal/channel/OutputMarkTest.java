package dev.nsjunit.internal.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OutputMarkTest {
  private static final byte[] MARK = OutputMark.of("0123456789abcdef0123456789abcdef");

  /** Feeds {@code stream} in chunks of the given sizes; returns output, "|MARK|" where found. */
  private static String scan(byte[] stream, int... chunkSizes) {
    OutputMark.Scanner scanner = new OutputMark.Scanner(MARK);
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    int at = 0;
    int c = 0;
    while (at < stream.length) {
      int n = Math.min(chunkSizes[c++ % chunkSizes.length], stream.length - at);
      byte[] chunk = new byte[8192];
      System.arraycopy(stream, at, chunk, 0, n);
      at += n;
      OutputMark.Scanner.Scan scan = scanner.scan(chunk, n);
      seen.writeBytes(scan.before());
      if (scan.markFound()) {
        seen.writeBytes("|MARK|".getBytes(StandardCharsets.US_ASCII));
      }
      seen.writeBytes(scan.after());
    }
    seen.writeBytes(scanner.flush());
    return seen.toString(StandardCharsets.ISO_8859_1);
  }

  private static byte[] concat(String before, byte[] mark, String after) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(before.getBytes(StandardCharsets.ISO_8859_1));
    b.writeBytes(mark);
    b.writeBytes(after.getBytes(StandardCharsets.ISO_8859_1));
    return b.toByteArray();
  }

  @Test
  void theMarkIsFoundAndStrippedWhereverTheChunksSplitIt() {
    byte[] stream = concat("test output\n", MARK, "hook output\n");
    for (int size = 1; size <= stream.length; size++) {
      assertThat(scan(stream, size))
          .as("chunks of " + size)
          .isEqualTo("test output\n|MARK|hook output\n");
    }
    assertThat(scan(stream, 3, 17, 1, 40)).isEqualTo("test output\n|MARK|hook output\n");
  }

  @Test
  void falseStartsAndNulBytesAreOutputUnchanged() {
    String almost = "\0nsjunit:output-complete:0123\0\0\0nsj";
    byte[] stream = concat("a" + almost + "b", MARK, "c" + almost);
    for (int size : new int[] {1, 2, 5, 8192}) {
      assertThat(scan(stream, size)).isEqualTo("a" + almost + "b|MARK|c" + almost);
    }
  }

  @Test
  void aMarkOfAnotherTokenIsOutputAndOnlyTheFirstMarkCounts() {
    byte[] other = OutputMark.of("ffffffffffffffffffffffffffffffff");
    byte[] stream =
        concat(
            new String(other, StandardCharsets.ISO_8859_1) + "x",
            MARK,
            new String(MARK, StandardCharsets.ISO_8859_1));
    assertThat(scan(stream, 7))
        .isEqualTo(
            new String(other, StandardCharsets.ISO_8859_1)
                + "x|MARK|"
                + new String(MARK, StandardCharsets.ISO_8859_1));
  }

  @Test
  void withoutAMarkEverythingComesOutIncludingAHeldBackTail() {
    byte[] partial = java.util.Arrays.copyOf(MARK, MARK.length - 1);
    byte[] stream = concat("binary", partial, "");
    assertThat(scan(stream, 4))
        .isEqualTo("binary" + new String(partial, StandardCharsets.ISO_8859_1));
  }

  @Test
  void randomBinaryOutputAroundTheMarkSurvivesByteForByte() {
    Random random = new Random(42);
    for (int round = 0; round < 50; round++) {
      byte[] before = new byte[random.nextInt(3000)];
      byte[] after = new byte[random.nextInt(300)];
      random.nextBytes(before);
      random.nextBytes(after);
      for (int i = 0; i < before.length; i += 7) {
        before[i] = 0; // plenty of NULs, the mark's first byte
      }
      byte[] stream =
          concat(
              new String(before, StandardCharsets.ISO_8859_1),
              MARK,
              new String(after, StandardCharsets.ISO_8859_1));
      assertThat(scan(stream, 1 + random.nextInt(64), 1 + random.nextInt(9)))
          .isEqualTo(
              new String(before, StandardCharsets.ISO_8859_1)
                  + "|MARK|"
                  + new String(after, StandardCharsets.ISO_8859_1));
    }
  }
}
