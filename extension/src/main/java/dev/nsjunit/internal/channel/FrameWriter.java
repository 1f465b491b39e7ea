package dev.nsjunit.internal.channel;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;

/**
 * The writing end of the channel, on either side: one frame at a time, flushed, so that frames from
 * several threads (the test, the request thread, a shutdown hook; the event loop and network calls)
 * never interleave.
 */
public final class FrameWriter {
  private final OutputStream out;

  private FrameWriter(OutputStream out) {
    this.out = out;
  }

  public static FrameWriter over(SocketChannel channel) {
    return new FrameWriter(new BufferedOutputStream(SocketStreams.output(channel)));
  }

  public synchronized void send(Message message) throws IOException {
    FrameCodec.write(out, message);
    out.flush();
  }
}
