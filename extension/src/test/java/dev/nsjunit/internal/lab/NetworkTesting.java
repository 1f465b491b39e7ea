package dev.nsjunit.internal.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the network tests share: the launcher binary, starting and closing a lab, sockets opened
 * inside a lab host, the host's links.
 */
final class NetworkTesting {
  private NetworkTesting() {}

  /** {@code -Dnsjunit.launcher}, else the native-helper module's Maven or make output. */
  static Path launcher() {
    String configured = System.getProperty("nsjunit.launcher");
    List<Path> candidates =
        configured != null
            ? List.of(Path.of(configured))
            : List.of(
                Path.of("../native-helper/target/native/nsjunit-launch"),
                Path.of("../native-helper/build/nsjunit-launch"));
    for (Path p : candidates) {
      if (Files.isExecutable(p)) {
        return p.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException(
        "no nsjunit-launch at " + candidates + ": run 'mvn -B -q -pl native-helper compile' first");
  }

  /** A lab of these hosts and links, started with {@link #launcher()}. */
  static Lab startLab(List<String> hosts, LinkSpec... links) {
    return Lab.start(new TopologySpec(hosts, List.of(links)), launcher());
  }

  /** Closes {@code lab} and asserts that every process it had is gone. */
  static void closeAndAssertItsProcessesGone(Lab lab) {
    List<Long> pids = lab.processIds();
    lab.close();
    assertThat(pids)
        .allSatisfy(
            pid ->
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("process %d of the lab is gone after close()", pid)
                    .isFalse());
  }

  /** An unconnected TCP channel whose socket lives in {@code host}'s namespace. */
  static SocketChannel channelIn(Lab lab, String host) {
    return NetNamespaces.callInside(
        lab.netns(host), "opening a socket in " + host, SocketChannel::open);
  }

  /** A listening socket in {@code host}'s namespace, on its lab address. */
  static ServerSocket serverIn(Lab lab, String host, int port) {
    InetAddress addr = lab.address(host);
    return NetNamespaces.callInside(
        lab.netns(host),
        "listening in " + host,
        () -> {
          ServerSocket s = new ServerSocket();
          s.setReuseAddress(true);
          s.bind(new InetSocketAddress(addr, port));
          return s;
        });
  }

  /** Interface names of the test JVM's own network namespace (the host machine's). */
  static Set<String> hostLinks() {
    try (RtNetlink r = new RtNetlink(NetlinkSocket.open("in the test JVM's namespace"))) {
      return new TreeSet<>(r.links().keySet());
    }
  }

  /** "net:[4026532xyz]" of a namespace path such as /proc/PID/ns/net. */
  static String namespaceId(Path netns) {
    try {
      return Files.readSymbolicLink(netns).toString();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Every "pid/tid" of this machine whose network namespace is one of {@code ids}. */
  static Set<String> tasksIn(Set<String> ids) {
    Set<String> found = new TreeSet<>();
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try (var tasks = Files.list(proc.resolve("task"))) {
          for (Path task : tasks.toList()) {
            try {
              if (ids.contains(Files.readSymbolicLink(task.resolve("ns/net")).toString())) {
                found.add(proc.getFileName() + "/" + task.getFileName());
              }
            } catch (IOException e) {
              // the task ended meanwhile
            }
          }
        } catch (IOException e) {
          // the process ended meanwhile
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return found;
  }

  /** Mounts of network namespaces (ip netns add would make them); a lab never makes any. */
  static List<String> nsfsMounts() {
    try {
      return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
          .filter(l -> l.contains(" nsfs "))
          .toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void closeQuietly(AutoCloseable c) {
    try {
      if (c != null) {
        c.close();
      }
    } catch (Exception | Error e) {
      // test cleanup
    }
  }

  static long elapsedMs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static IOException unwrap(Throwable t) {
    return t instanceof IOException io ? io : new IOException(t);
  }
}
