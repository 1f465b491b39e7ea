package dev.nsjunit.internal.channel;

import dev.nsjunit.internal.run.SandboxEvent;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.BlockingQueue;

/**
 * The parent's end of one sandbox's channel: a Unix-domain socket of its own in the private run
 * directory (path sockets work across network namespaces). It accepts exactly one connection, then
 * removes the socket file, so no other process can connect to this test's channel.
 */
public final class ChannelEndpoint implements AutoCloseable {
  private final Path path;
  private final ServerSocketChannel server;
  private final BlockingQueue<SandboxEvent> events;
  private volatile SocketChannel accepted;
  private final Thread thread;

  private ChannelEndpoint(
      Path path, ServerSocketChannel server, BlockingQueue<SandboxEvent> events, String name) {
    this.path = path;
    this.server = server;
    this.events = events;
    this.thread = new Thread(this::acceptAndRead, name);
    this.thread.setDaemon(true);
  }

  public static ChannelEndpoint open(Path path, BlockingQueue<SandboxEvent> events, String name)
      throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(path));
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    ChannelEndpoint endpoint = new ChannelEndpoint(path, server, events, name);
    endpoint.thread.start();
    return endpoint;
  }

  private void acceptAndRead() {
    try {
      SocketChannel channel = server.accept();
      accepted = channel;
      closeServer();
      events.add(new SandboxEvent.Connected(FrameWriter.over(channel)));
      InputStream in = new BufferedInputStream(SocketStreams.input(channel));
      for (Message m = FrameCodec.read(in); m != null; m = FrameCodec.read(in)) {
        events.add(new SandboxEvent.Received(m));
      }
      events.add(new SandboxEvent.ChannelEnded(null));
    } catch (ClosedChannelException closed) {
      events.add(new SandboxEvent.ChannelEnded(null));
    } catch (IOException e) {
      events.add(new SandboxEvent.ChannelEnded(e));
    }
  }

  /** Stops accepting (the child died before connecting, or connected already). */
  public void closeServer() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing a listening socket does not fail in a way we could act on
    }
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // the run directory is removed at exit anyway
    }
  }

  @Override
  public void close() {
    closeServer();
    SocketChannel c = accepted;
    if (c != null) {
      try {
        c.close();
      } catch (IOException ignored) {
        // nothing to do
      }
    }
  }
}
