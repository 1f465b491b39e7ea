package dev.nsjunit.internal.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The parent decodes whatever comes out of a sandbox: every input either decodes or fails with a
 * CorruptFrameException, never another exception, a hang, or an allocation beyond the frame bound.
 *
 * <p>"No hang" is checked without a clock: every read the decoder makes must consume input, so the
 * number of reads is bounded by the input's length. "No over-allocation" is measured: the bytes
 * this thread allocates while decoding one input may not exceed the frame the input announces (at
 * most {@link FrameCodec#MAX_FRAME}) plus a small multiple of the input's own length.
 *
 * <p>The mutation loop runs {@code -Dnsjunit.fuzz.iterations=N} inputs (default 20,000 in CI; the
 * dedicated run uses 1,000,000, see docs/reliability.md).
 */
class FrameCodecFuzzTest {
  /** Objects a decoder builds per input byte (strings, stack frames, map entries), generously. */
  private static final long ALLOCATION_PER_INPUT_BYTE = 64;

  /** Fixed cost of one decode (streams, buffers, an exception and its stack trace). */
  private static final long ALLOCATION_OVERHEAD = 256 * 1024;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /** One message of every type, with every field set (and the optional ones also left out). */
  static List<Message> samples() {
    Exception e = new IllegalStateException("boom", new RuntimeException("cause"));
    e.addSuppressed(new IllegalArgumentException("suppressed"));
    return List.of(
        new Message.Hello(FrameCodec.VERSION, "0123456789abcdef"),
        new Message.Run("[engine:junit-jupiter]/[class:a.B]/[method:c()]", Map.of("k", "v")),
        new Message.ReportEntry(Map.of("cache.hits", "17")),
        new Message.Result(Message.Status.FAILED, ThrowableData.of(e), "reason"),
        new Message.Result(Message.Status.SUCCESSFUL, null, null),
        new Message.ExitCalled(ThrowableData.of(e)),
        new Message.DumpThreads(),
        new Message.ThreadDump("\"main\" state=RUNNABLE\n"),
        new Message.NetworkCall(7, "partition", List.of("client", "server")),
        new Message.NetworkAnswer(7, "done", null),
        new Message.NetworkAnswer(8, null, "no such host: db"),
        new Message.Bye());
  }

  static byte[] encode(Message m) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      FrameCodec.write(out, m);
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * An input stream that counts the reads made on it. Every read must consume input, except one at
   * the end of the stream: more reads than that means a decoder that does not progress, and it is
   * stopped here instead of hanging the test.
   */
  static final class CountingInput extends InputStream {
    private final ByteArrayInputStream in;
    private final int allowedReads;
    int reads;
    int readsWithoutProgress;

    CountingInput(byte[] bytes) {
      this.in = new ByteArrayInputStream(bytes);
      this.allowedReads = bytes.length + 1;
    }

    @Override
    public int read() {
      count();
      int b = in.read();
      if (b < 0) {
        readsWithoutProgress++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      count();
      int n = in.read(b, off, len);
      if (n <= 0) {
        readsWithoutProgress++;
      }
      return n;
    }

    private void count() {
      if (++reads > allowedReads || readsWithoutProgress > 1) {
        throw new AssertionError(
            "the decoder made "
                + reads
                + " reads ("
                + readsWithoutProgress
                + " at the end of the stream) on "
                + (allowedReads - 1)
                + " bytes: it does not progress");
      }
    }
  }

  /** What decoding one input did. */
  record Decoded(int frames, long allocatedBytes, String error) {}

  static {
    // Class loading and first-use initialisation allocate on this thread: done before any
    // measurement.
    for (int i = 0; i < 3; i++) {
      samples().forEach(m -> decode(encode(m)));
      decode(new byte[] {0, 0, 0, 9, 1, 0, 0});
      decode(new byte[] {0, 0, 0, 2, 99, 0});
    }
  }

  /** Decodes all frames of a stream, until its end or a clear error, measuring what that cost. */
  private static Decoded decode(byte[] input) {
    CountingInput in = new CountingInput(input);
    int frames = 0;
    String error = null;
    long before = THREADS.getCurrentThreadAllocatedBytes();
    try {
      while (FrameCodec.read(in) != null) {
        frames++;
      }
    } catch (FrameCodec.CorruptFrameException expected) {
      error = expected.getMessage();
    } catch (IOException other) {
      throw new AssertionError("unexpected IOException " + other, other);
    }
    return new Decoded(frames, THREADS.getCurrentThreadAllocatedBytes() - before, error);
  }

  /**
   * Decodes all frames of a stream (until its end or a clear error), checking that the decoder
   * progressed with every read and allocated no more than the input justifies.
   */
  static Decoded decodeAll(byte[] input) {
    Decoded decoded = decode(input);
    // Plain checks, not AssertJ: this runs for every one of up to a million inputs.
    if (decoded.error() != null && decoded.error().isBlank()) {
      throw new AssertionError(
          "a CorruptFrameException without a message for " + Arrays.toString(input));
    }
    long announced = largestAnnouncedFrame(input);
    long bound = announced + ALLOCATION_PER_INPUT_BYTE * input.length + ALLOCATION_OVERHEAD;
    if (decoded.allocatedBytes() > bound) {
      throw new AssertionError(
          "decoding "
              + input.length
              + " bytes that announce a frame of at most "
              + announced
              + " bytes allocated "
              + decoded.allocatedBytes()
              + " bytes (bound "
              + bound
              + "): "
              + Arrays.toString(input));
    }
    return decoded;
  }

  /**
   * The largest body a frame header of this stream announces (within the bound; beyond it nothing
   * is read).
   */
  private static long largestAnnouncedFrame(byte[] input) {
    long largest = 0;
    for (long at = 0; at + 4 <= input.length; ) {
      long length = announced(input, (int) at);
      if (length < 1 || length > FrameCodec.MAX_FRAME) {
        break;
      }
      largest = Math.max(largest, length);
      at += 4 + length;
    }
    return largest;
  }

  /** The body length the frame header at {@code at} announces. */
  private static long announced(byte[] input, int at) {
    return ((input[at] & 0xffL) << 24)
        | ((input[at + 1] & 0xff) << 16)
        | ((input[at + 2] & 0xff) << 8)
        | (input[at + 3] & 0xff);
  }

  /**
   * Whole values, not classes: records compare arrays by reference and stack frames by module and
   * class loader too, which the channel does not carry; everything it does carry must come back.
   */
  static void assertSameMessage(Message back, Message sent) {
    assertThat(back)
        .usingRecursiveComparison()
        .withEqualsForType(Arrays::equals, byte[].class)
        .withComparatorForType(
            Comparator.comparing(StackTraceElement::getClassName)
                .thenComparing(StackTraceElement::getMethodName)
                .thenComparing(f -> String.valueOf(f.getFileName()))
                .thenComparingInt(StackTraceElement::getLineNumber),
            StackTraceElement.class)
        .isEqualTo(sent);
  }

  @Test
  void samplesCoverEveryMessageType() {
    Set<Class<?>> covered = samples().stream().map(Object::getClass).collect(Collectors.toSet());
    assertThat(covered)
        .as("message types in the fuzz corpus")
        .containsExactlyInAnyOrder(Message.class.getPermittedSubclasses());
  }

  @Test
  void everyMessageRoundTripsWithAllItsFields() throws Exception {
    for (Message m : samples()) {
      Message back = FrameCodec.read(new ByteArrayInputStream(encode(m)));
      assertSameMessage(back, m);
    }
    // The exception's serialized form survives byte for byte (the parent rebuilds the real object
    // from it).
    Message.Result failed = (Message.Result) samples().get(3);
    Message.Result back =
        (Message.Result) FrameCodec.read(new ByteArrayInputStream(encode(failed)));
    assertThat(back.throwable().serialized())
        .isNotEmpty()
        .isEqualTo(failed.throwable().serialized());
    assertThat(back.throwable().stackTrace()).hasSameSizeAs(failed.throwable().stackTrace());
  }

  @Test
  void theRoundTripCheckSeesAChangedField() {
    // The comparison above must be able to fail: one changed value deep inside is noticed.
    Message.Hello hello = new Message.Hello(FrameCodec.VERSION, "token");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> assertSameMessage(new Message.Hello(FrameCodec.VERSION, "tokeN"), hello))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("token");
    Message.ExitCalled exit =
        new Message.ExitCalled(ThrowableData.of(new IllegalStateException("x")));
    ThrowableData t = exit.callSite();
    byte[] otherBytes = t.serialized().clone();
    otherBytes[otherBytes.length - 1] ^= 1;
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                assertSameMessage(
                    new Message.ExitCalled(
                        new ThrowableData(
                            t.className(),
                            t.message(),
                            t.stackTrace(),
                            t.cause(),
                            t.suppressed(),
                            otherBytes)),
                    exit))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("serialized");
  }

  @Test
  void theAllocationMeasurementSeesWhatThisThreadAllocates() {
    // The bound above must be able to fail: a decoder that took 1 MiB for a 12-byte input is seen.
    assertThat(
            THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled())
        .isTrue();
    long before = THREADS.getCurrentThreadAllocatedBytes();
    byte[] waste = new byte[1 << 20];
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
    assertThat(waste).hasSize(1 << 20);
    assertThat(allocated).isGreaterThan(4 + ALLOCATION_PER_INPUT_BYTE * 12 + ALLOCATION_OVERHEAD);
  }

  @Test
  void aDecoderThatDoesNotProgressIsStoppedNotWaitedFor() {
    CountingInput in = new CountingInput(new byte[] {1});
    in.read();
    in.read(); // the end of the stream, once
    org.assertj.core.api.Assertions.assertThatThrownBy(in::read)
        .hasMessageContaining("it does not progress");
  }

  @Test
  void mutatedTruncatedAndSplicedFramesNeverCrashHangOrOverAllocate() {
    int iterations = Integer.getInteger("nsjunit.fuzz.iterations", 20_000);
    long seed = Long.getLong("nsjunit.fuzz.seed", 42L);
    Random random = new Random(seed);
    List<Message> samples = samples();
    List<byte[]> corpus = samples.stream().map(FrameCodecFuzzTest::encode).toList();
    Map<String, Integer> mutatedPerType = new TreeMap<>();
    long start = System.nanoTime();
    int clean = 0;
    long maxAllocated = 0;
    for (int i = 0; i < iterations; i++) {
      int pick = random.nextInt(corpus.size());
      byte[] input = corpus.get(pick).clone();
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
          pick = -1;
          break;
        default: // splice two frames at a random point
          byte[] other = corpus.get(random.nextInt(corpus.size()));
          int cut = random.nextInt(input.length);
          byte[] spliced = Arrays.copyOf(input, cut + other.length);
          System.arraycopy(other, 0, spliced, cut, other.length);
          input = spliced;
      }
      if (pick >= 0) {
        mutatedPerType.merge(samples.get(pick).getClass().getSimpleName(), 1, Integer::sum);
      }
      Decoded decoded = decodeAll(input);
      if (decoded.frames() > 0) {
        clean++;
      }
      maxAllocated = Math.max(maxAllocated, decoded.allocatedBytes());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        "channel decoder fuzz: %d inputs (seed %d), %d with at least one valid frame, %.1f s, "
            + "at most %d bytes allocated for one input, no crash; mutated per type: %s%n",
        iterations, seed, clean, seconds, maxAllocated, mutatedPerType);
    if (iterations >= 1000) {
      assertThat(mutatedPerType.keySet())
          .as("message types that were mutated")
          .containsAll(
              Arrays.stream(Message.class.getPermittedSubclasses())
                  .map(Class::getSimpleName)
                  .toList());
      assertThat(clean)
          .as("inputs that still held a valid frame: the mutations are not all fatal")
          .isPositive();
    }
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
    byte[] header = {
      (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length, 1
    };
    Decoded decoded = decode(header);
    assertThat(decoded.frames()).as("frames accepted with length " + length).isZero();
    assertThat(decoded.error())
        .contains("frame length " + Integer.toUnsignedString(length) + " is outside 1..");
    assertThat(decoded.allocatedBytes())
        .as("bytes allocated refusing length " + length)
        .isLessThan(ALLOCATION_OVERHEAD);
  }
}
