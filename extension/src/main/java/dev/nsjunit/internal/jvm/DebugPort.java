package dev.nsjunit.internal.jvm;

import dev.nsjunit.SandboxFailedException;
import dev.nsjunit.SandboxFailedException.Reason;
import dev.nsjunit.internal.lab.NetNamespaces;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;

/**
 * {@code nsjunit.debug=<port>}: the child JVM starts suspended with a JDWP agent, and a debugger
 * attaches to {@code localhost:<port>} on the host, as to any remote JVM.
 *
 * <p>A sandbox with its own network ({@code @IsolatedNetns}, {@code @Sandbox}, a {@code @Topology}
 * host) has its own loopback, which the host cannot reach. There the child's agent listens on the
 * sandbox's 127.0.0.1:port, and the parent listens on the host's 127.0.0.1:port and relays every
 * connection into the sandbox: the relay's socket is connected from a short-lived thread that
 * entered the sandbox's network namespace (a socket stays in the namespace it was made in). This
 * needs no process, port or route inside the sandbox beyond the JVM's own agent, and nothing
 * outside loopback is opened. Without a network namespace the child's agent listens on the host's
 * loopback itself.
 *
 * <p>One sandbox is debugged at a time (a port serves one JVM): other isolated tests wait for it.
 */
public final class DebugPort implements AutoCloseable {
  private static final Semaphore ONE_AT_A_TIME = new Semaphore(1);

  private final int port;
  private final ServerSocketChannel relay;
  private final List<SocketChannel> connections = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private DebugPort(int port, ServerSocketChannel relay) {
    this.port = port;
    this.relay = relay;
  }

  /** Takes the debugging turn and the port; fails before anything starts when the port is taken. */
  public static DebugPort open(int port, boolean ownNetwork) throws InterruptedException {
    ONE_AT_A_TIME.acquire();
    try {
      ServerSocketChannel server = ServerSocketChannel.open();
      try {
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      } catch (IOException e) {
        server.close();
        throw portTaken(port, e);
      }
      if (!ownNetwork) {
        server.close(); // only a check: the child's agent binds the host's port itself
        server = null;
      }
      return new DebugPort(port, server);
    } catch (IOException e) {
      ONE_AT_A_TIME.release();
      throw portTaken(port, e);
    } catch (RuntimeException e) {
      ONE_AT_A_TIME.release();
      throw e;
    }
  }

  private static SandboxFailedException portTaken(int port, IOException e) {
    return new SandboxFailedException(
        Reason.SETUP_FAILED,
        "nsjunit.debug="
            + port
            + ": cannot listen on 127.0.0.1:"
            + port
            + " ("
            + e.getMessage()
            + "); another process (or a debugged test JVM) uses it: choose another port",
        e);
  }

  /** The child JVM's agent: suspended until a debugger attaches, on the loopback the child sees. */
  public List<String> jvmOptions() {
    return List.of(
        "-agentlib:jdwp=transport=dt_socket,server=y,suspend=y,address=127.0.0.1:" + port);
  }

  /** The line that tells the user where to attach. */
  public String announcement(String test) {
    return "nsjunit: "
        + test
        + " waits for a debugger: attach to localhost:"
        + port
        + " (JDWP, \"Remote JVM Debug\" in"
        + " an IDE)"
        + (relay != null
            ? "; the sandbox has its own network, nsjunit relays the port into it"
            : "");
  }

  /** Starts relaying into the sandbox that {@code launcher} started (with its own network only). */
  public void relayInto(Process launcher) {
    if (relay == null) {
      return;
    }
    Thread acceptor =
        new Thread(
            () -> {
              while (!closed) {
                SocketChannel outside;
                try {
                  outside = relay.accept();
                } catch (IOException e) {
                  return; // closed with the sandbox
                }
                connections.add(outside);
                Thread t = new Thread(() -> connect(outside, launcher), "nsjunit-debug-connect");
                t.setDaemon(true);
                t.start();
              }
            },
            "nsjunit-debug-relay");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /**
   * Connects to the agent inside the sandbox, retrying while its JVM starts, then copies both ways.
   */
  private void connect(SocketChannel outside, Process launcher) {
    SocketChannel inside = null;
    while (inside == null && !closed && launcher.isAlive()) {
      Optional<Path> netns = sandboxNetwork(launcher);
      if (netns.isPresent()) {
        try {
          inside =
              NetNamespaces.callInside(
                  netns.get(),
                  "the debugger relay",
                  () -> {
                    SocketChannel c = SocketChannel.open();
                    try {
                      c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                      return c;
                    } catch (IOException e) {
                      c.close();
                      return null; // the agent does not listen yet
                    }
                  });
        } catch (RuntimeException e) {
          inside = null; // the sandbox is still being set up, or already gone
        }
      }
      if (inside == null) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          break;
        }
      }
    }
    if (inside == null) {
      closeQuietly(outside);
      return;
    }
    connections.add(inside);
    SocketChannel in = inside;
    Thread back = new Thread(() -> copy(in, outside), "nsjunit-debug-relay-out");
    back.setDaemon(true);
    back.start();
    copy(outside, in);
  }

  /** The network namespace of the sandbox's PID 1 (the launcher's child) once it exists. */
  private static Optional<Path> sandboxNetwork(Process launcher) {
    try {
      String own = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
      for (ProcessHandle child : launcher.toHandle().children().toList()) {
        Path ns = Path.of("/proc", Long.toString(child.pid()), "ns", "net");
        if (!Files.readSymbolicLink(ns).toString().equals(own)) {
          return Optional.of(ns);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not there yet, or gone
    }
    return Optional.empty();
  }

  private static void copy(SocketChannel from, SocketChannel to) {
    ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
    try {
      while (from.read(buffer) >= 0) {
        buffer.flip();
        while (buffer.hasRemaining()) {
          to.write(buffer);
        }
        buffer.clear();
      }
    } catch (IOException e) {
      // one side went away
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(SocketChannel c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (relay != null) {
        relay.close();
      }
    } catch (IOException ignored) {
      // the port is released either way
    }
    connections.forEach(DebugPort::closeQuietly);
    ONE_AT_A_TIME.release();
  }
}
