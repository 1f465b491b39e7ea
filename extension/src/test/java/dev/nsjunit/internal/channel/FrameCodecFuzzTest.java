package dev.nsjunit.internal.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The parent decodes whatever comes out of a sandbox: every input either decodes or fails with a
 * CorruptFrameException, never another exception, a hang, or an allocation beyond the frame bound.
 *
 * <p>The mutation loop runs {@code -Dnsjunit.fuzz.iterations=N} inputs (default 20,000 in CI;
 * the dedicated run uses 1,000,000, see docs/reliability.md).
 */
class FrameCodecFuzzTest {

  static List<Message> samples() {
    Exception e = new IllegalStateException("boom", new RuntimeException("cause"));
    e.addSuppressed(new IllegalArgumentException("suppressed"));
    return List.of(
        new Message.Hello(FrameCodec.VERSION, "0123456789abcdef", 2),
        new Message.Run("[engine:junit-jupiter]/[class:a.B]/[method:c()]", Map.of("k", "v")),
        new Message.ReportEntry(Map.of("cache.hits", "17")),
        new Message.Result(Message.Status.FAILED, ThrowableData.of(e), "reason"),
        new Message.Result(Message.Status.SUCCESSFUL, null, null),
        new Message.ExitCalled(ThrowableData.of(e)),
        new Message.DumpThreads(),
        new Message.ThreadDump("\"main\" state=RUNNABLE\n"),
        new Message.Bye());
  }

  static byte[] encode(Message m) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FrameCodec.write(out, m);
    return out.toByteArray();
  }

  /** Decodes all frames of a stream; returns how many decoded before the end or a clear error. */
  static int decodeAll(byte[] input) {
    ByteArrayInputStream in = new ByteArrayInputStream(input);
    int frames = 0;
    try {
      while (FrameCodec.read(in) != null) {
        frames++;
      }
    } catch (FrameCodec.CorruptFrameException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    } catch (IOException other) {
      throw new AssertionError("unexpected IOException " + other, other);
    }
    return frames;
  }

  @Test
  void everyMessageRoundTrips() throws Exception {
    for (Message m : samples()) {
      Message back = FrameCodec.read(new ByteArrayInputStream(encode(m)));
      assertThat(back.getClass()).isEqualTo(m.getClass());
      if (m instanceof Message.Run r) {
        assertThat(back).isEqualTo(r);
      }
    }
  }

  @Test
  void mutatedTruncatedAndSplicedFramesNeverCrashTheDecoder() throws Exception {
    int iterations = Integer.getInteger("nsjunit.fuzz.iterations", 20_000);
    long seed = Long.getLong("nsjunit.fuzz.seed", 42L);
    Random random = new Random(seed);
    List<byte[]> corpus = samples().stream().map(m -> {
      try {
        return encode(m);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }).toList();
    long start = System.nanoTime();
    int clean = 0;
    for (int i = 0; i < iterations; i++) {
      byte[] input = corpus.get(random.nextInt(corpus.size())).clone();
      switch (random.nextInt(4)) {
        case 0: // flip bytes
          for (int n = 1 + random.nextInt(4); n > 0; n--) {
            input[random.nextInt(input.length)] ^= (byte) (1 + random.nextInt(255));
          }
          break;
        case 1: // truncate
          input = Arrays.copyOf(input, random.nextInt(input.length));
          break;
        case 2: // random bytes
          input = new byte[random.nextInt(64)];
          random.nextBytes(input);
          break;
        default: // splice two frames at a random point
          byte[] other = corpus.get(random.nextInt(corpus.size()));
          int cut = random.nextInt(input.length);
          byte[] spliced = Arrays.copyOf(input, cut + other.length);
          System.arraycopy(other, 0, spliced, cut, other.length);
          input = spliced;
      }
      if (decodeAll(input) > 0) {
        clean++;
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("channel decoder fuzz: %d inputs (seed %d), %d with at least one valid frame, %.1f s, no crash%n",
        iterations, seed, clean, seconds);
  }

  @Property(tries = 2000)
  void arbitraryBytesDecodeOrFailClearly(@ForAll @Size(max = 200) byte[] input) {
    decodeAll(input);
  }

  @Property(tries = 500)
  void aLengthPrefixAboveTheBoundIsRefusedBeforeAllocating(@ForAll int length) {
    if (length > 0 && length <= FrameCodec.MAX_FRAME) {
      return;
    }
    byte[] header = {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length, 1};
    try {
      FrameCodec.read(new ByteArrayInputStream(header));
      throw new AssertionError("accepted length " + length);
    } catch (FrameCodec.CorruptFrameException expected) {
      assertThat(expected.getMessage()).contains("outside 1..");
    } catch (IOException other) {
      throw new AssertionError(other);
    }
  }
}
