package dev.nsjunit.internal.channel;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Frames on the channel: a 4-byte big-endian length (of what follows), a 1-byte type, the payload.
 * Frames are bounded ({@link #MAX_FRAME}) so a corrupted length cannot exhaust memory; the {@link
 * Message.Hello} frame carries a magic number and the protocol version.
 */
public final class FrameCodec {
  public static final int MAGIC = 0x4E534A55; // "NSJU"
  public static final int VERSION = 2;
  public static final int MAX_FRAME = 16 * 1024 * 1024;
  private static final int MAX_COLLECTION = 100_000;

  private FrameCodec() {}

  /** A frame could not be decoded: the stream is corrupted, truncated or not nsjunit's. */
  public static final class CorruptFrameException extends IOException {
    private static final long serialVersionUID = 1L;

    public CorruptFrameException(String message) {
      super(message);
    }
  }

  // ---- writing -------------------------------------------------------------------------------

  public static void write(OutputStream out, Message message) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream data = new DataOutputStream(bytes);
    data.writeByte(typeOf(message));
    encode(data, message);
    data.flush();
    if (bytes.size() > MAX_FRAME) {
      throw new IOException(
          "frame of " + bytes.size() + " bytes exceeds the limit of " + MAX_FRAME);
    }
    DataOutputStream frame = new DataOutputStream(out);
    frame.writeInt(bytes.size());
    bytes.writeTo(frame);
    frame.flush();
  }

  private static int typeOf(Message m) {
    if (m instanceof Message.Hello) return 1;
    if (m instanceof Message.Run) return 2;
    if (m instanceof Message.ReportEntry) return 3;
    if (m instanceof Message.Result) return 4;
    if (m instanceof Message.ExitCalled) return 5;
    if (m instanceof Message.DumpThreads) return 6;
    if (m instanceof Message.ThreadDump) return 7;
    if (m instanceof Message.Bye) return 8;
    if (m instanceof Message.NetworkCall) return 9;
    if (m instanceof Message.NetworkAnswer) return 10;
    throw new IllegalArgumentException(m.toString());
  }

  private static void encode(DataOutputStream out, Message m) throws IOException {
    if (m instanceof Message.Hello h) {
      out.writeInt(MAGIC);
      out.writeShort(h.version());
      writeString(out, h.token());
    } else if (m instanceof Message.Run r) {
      writeString(out, r.uniqueId());
      writeMap(out, r.configuration());
    } else if (m instanceof Message.ReportEntry e) {
      writeMap(out, e.entries());
    } else if (m instanceof Message.Result r) {
      out.writeByte(r.status().ordinal());
      writeThrowable(out, r.throwable(), 0);
      writeString(out, r.reason());
    } else if (m instanceof Message.ExitCalled e) {
      writeThrowable(out, e.callSite(), 0);
    } else if (m instanceof Message.ThreadDump d) {
      writeString(out, d.text());
    } else if (m instanceof Message.NetworkCall c) {
      out.writeInt(c.id());
      writeString(out, c.operation());
      out.writeInt(c.arguments().size());
      for (String a : c.arguments()) {
        writeString(out, a);
      }
    } else if (m instanceof Message.NetworkAnswer a) {
      out.writeInt(a.id());
      writeString(out, a.value());
      writeString(out, a.error());
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static void writeMap(DataOutputStream out, Map<String, String> map) throws IOException {
    out.writeInt(map.size());
    for (Map.Entry<String, String> e : map.entrySet()) {
      writeString(out, e.getKey());
      writeString(out, e.getValue());
    }
  }

  private static void writeThrowable(DataOutputStream out, ThrowableData t, int depth)
      throws IOException {
    if (t == null || depth > ThrowableData.MAX_DEPTH) {
      out.writeBoolean(false);
      return;
    }
    out.writeBoolean(true);
    writeString(out, t.className());
    writeString(out, t.message());
    out.writeInt(t.stackTrace().size());
    for (StackTraceElement e : t.stackTrace()) {
      writeString(out, e.getClassName());
      writeString(out, e.getMethodName());
      writeString(out, e.getFileName());
      out.writeInt(e.getLineNumber());
    }
    writeThrowable(out, t.cause(), depth + 1);
    out.writeInt(t.suppressed().size());
    for (ThrowableData s : t.suppressed()) {
      writeThrowable(out, s, depth + 1);
    }
    byte[] ser = t.serialized();
    out.writeInt(ser == null ? -1 : ser.length);
    if (ser != null) {
      out.write(ser);
    }
  }

  // ---- reading -------------------------------------------------------------------------------

  /** Reads one frame; returns null on a clean end of stream before a frame starts. */
  public static Message read(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    int first = data.read();
    if (first < 0) {
      return null;
    }
    int length;
    try {
      length =
          (first << 24)
              | (data.readUnsignedByte() << 16)
              | (data.readUnsignedByte() << 8)
              | data.readUnsignedByte();
    } catch (EOFException e) {
      throw new CorruptFrameException("the stream ended inside a frame header (truncated)");
    }
    if (length < 1 || length > MAX_FRAME) {
      throw new CorruptFrameException(
          "frame length "
              + Integer.toUnsignedString(length)
              + " is outside 1.."
              + MAX_FRAME
              + " (garbage on the channel?)");
    }
    byte[] body = new byte[length];
    try {
      data.readFully(body);
    } catch (EOFException e) {
      throw new CorruptFrameException(
          "the stream ended inside a frame of " + length + " bytes (truncated)");
    }
    return decode(body);
  }

  /** Decodes one frame body (type byte and payload). */
  public static Message decode(byte[] body) throws CorruptFrameException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(body));
    try {
      int type = in.readUnsignedByte();
      Message m = decode(type, in, body.length);
      if (in.available() != 0) {
        throw new CorruptFrameException(
            "frame of type " + type + " has " + in.available() + " unexpected trailing bytes");
      }
      return m;
    } catch (CorruptFrameException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new CorruptFrameException("undecodable frame: " + e);
    }
  }

  private static Message decode(int type, DataInputStream in, int limit) throws IOException {
    switch (type) {
      case 1:
        {
          int magic = in.readInt();
          if (magic != MAGIC) {
            throw new CorruptFrameException(
                String.format("bad magic 0x%08x in hello (not an nsjunit child?)", magic));
          }
          int version = in.readUnsignedShort();
          return new Message.Hello(version, readString(in, limit));
        }
      case 2:
        return new Message.Run(readString(in, limit), readMap(in, limit));
      case 3:
        return new Message.ReportEntry(readMap(in, limit));
      case 4:
        {
          int status = in.readUnsignedByte();
          if (status >= Message.Status.values().length) {
            throw new CorruptFrameException("unknown result status " + status);
          }
          return new Message.Result(
              Message.Status.values()[status], readThrowable(in, limit, 0), readString(in, limit));
        }
      case 5:
        return new Message.ExitCalled(readThrowable(in, limit, 0));
      case 6:
        return new Message.DumpThreads();
      case 7:
        return new Message.ThreadDump(readString(in, limit));
      case 8:
        return new Message.Bye();
      case 9:
        {
          int id = in.readInt();
          String operation = readString(in, limit);
          int n = in.readInt();
          if (n < 0 || n > MAX_COLLECTION) {
            throw new CorruptFrameException("argument count " + n + " out of bounds");
          }
          List<String> args = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            args.add(readString(in, limit));
          }
          if (operation == null || args.contains(null)) {
            throw new CorruptFrameException(
                "network call without an operation or with a null argument");
          }
          return new Message.NetworkCall(id, operation, List.copyOf(args));
        }
      case 10:
        return new Message.NetworkAnswer(
            in.readInt(), readString(in, limit), readString(in, limit));
      default:
        throw new CorruptFrameException("unknown frame type " + type);
    }
  }

  private static String readString(DataInputStream in, int limit) throws IOException {
    int n = in.readInt();
    if (n == -1) {
      return null;
    }
    if (n < 0 || n > limit) {
      throw new CorruptFrameException("string length " + n + " out of bounds");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static Map<String, String> readMap(DataInputStream in, int limit) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_COLLECTION) {
      throw new CorruptFrameException("map size " + n + " out of bounds");
    }
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      map.put(readString(in, limit), readString(in, limit));
    }
    return map;
  }

  private static ThrowableData readThrowable(DataInputStream in, int limit, int depth)
      throws IOException {
    if (!in.readBoolean()) {
      return null;
    }
    if (depth > ThrowableData.MAX_DEPTH) {
      throw new CorruptFrameException("exception nesting deeper than " + ThrowableData.MAX_DEPTH);
    }
    String className = readString(in, limit);
    String message = readString(in, limit);
    int frames = in.readInt();
    if (frames < 0 || frames > MAX_COLLECTION) {
      throw new CorruptFrameException("stack trace of " + frames + " frames out of bounds");
    }
    List<StackTraceElement> stack = new ArrayList<>(Math.min(frames, 1024));
    for (int i = 0; i < frames; i++) {
      String declaring = readString(in, limit);
      String method = readString(in, limit);
      String file = readString(in, limit);
      int line = in.readInt();
      stack.add(
          new StackTraceElement(String.valueOf(declaring), String.valueOf(method), file, line));
    }
    ThrowableData cause = readThrowable(in, limit, depth + 1);
    int suppressedCount = in.readInt();
    if (suppressedCount < 0 || suppressedCount > MAX_COLLECTION) {
      throw new CorruptFrameException("suppressed count " + suppressedCount + " out of bounds");
    }
    List<ThrowableData> suppressed = new ArrayList<>();
    for (int i = 0; i < suppressedCount; i++) {
      suppressed.add(readThrowable(in, limit, depth + 1));
    }
    int serLength = in.readInt();
    byte[] ser = null;
    if (serLength >= 0) {
      if (serLength > limit) {
        throw new CorruptFrameException(
            "serialized exception length " + serLength + " out of bounds");
      }
      ser = new byte[serLength];
      in.readFully(ser);
    } else if (serLength != -1) {
      throw new CorruptFrameException(
          "serialized exception length " + serLength + " out of bounds");
    }
    if (className == null) {
      throw new CorruptFrameException("exception without a class name");
    }
    return new ThrowableData(className, message, stack, cause, suppressed, ser);
  }
}
