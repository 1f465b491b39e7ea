package dev.nsjunit.internal.channel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Streams over a blocking SocketChannel that can be read and written from two threads at once.
 * {@code Channels.newInputStream/newOutputStream} both lock the channel's blocking lock, so a
 * thread blocked in read would stall every write; these call read/write on the channel directly.
 */
public final class SocketStreams {
  private SocketStreams() {}

  public static InputStream input(SocketChannel channel) {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        return channel.read(ByteBuffer.wrap(b, off, len));
      }
    };
  }

  public static OutputStream output(SocketChannel channel) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
      }
    };
  }
}
