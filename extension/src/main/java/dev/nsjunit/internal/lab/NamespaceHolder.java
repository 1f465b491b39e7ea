package dev.nsjunit.internal.lab;

import dev.nsjunit.internal.ffi.LibC;
import dev.nsjunit.internal.launcher.LauncherOption;
import dev.nsjunit.internal.launcher.LauncherProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A process that keeps a host's namespaces alive and hands out descriptors opened inside them:
 * {@code nsjunit-launch --hold SOCKET --net --uts --hostname NAME}. Without root the first holder
 * of a lab makes the lab's user namespace and the others join it ({@code --userns-of}), so veths
 * can join any two hosts. Its stdin is a pipe only this JVM holds, so when the JVM ends, even by
 * SIGKILL, the launcher sees EOF and SIGKILLs the holder, and the namespaces (with their veths) go
 * with it. No bind mount in /run/netns is ever made, and nothing names a namespace by pid:
 * sandboxes join through the socket ({@code --join-holder}).
 */
final class NamespaceHolder implements AutoCloseable {
  private static final long READY_TIMEOUT_MS = 10_000;
  private final String name;
  private final Process launcher;
  private final long holderPid;
  private final Path socket;

  private NamespaceHolder(String name, Process launcher, long holderPid, Path socket) {
    this.name = name;
    this.launcher = launcher;
    this.holderPid = holderPid;
    this.socket = socket;
  }

  /**
   * Starts a holder listening at {@code socket} whose UTS hostname is {@code hostname}; {@code
   * name} is used in messages. {@code userNamespaceOf} is another holder of the same lab whose user
   * namespace this one joins; without it, {@code userns} ("auto", "always" or "never") decides.
   */
  static NamespaceHolder start(
      Path launcherBinary,
      String name,
      String hostname,
      Path socket,
      Optional<NamespaceHolder> userNamespaceOf,
      String userns) {
    List<String> cmd =
        new ArrayList<>(
            List.of(launcherBinary.toString(), LauncherOption.HOLD.text(), socket.toString()));
    if (userNamespaceOf.isPresent()) {
      cmd.addAll(LauncherOption.USERNS_OF.with(userNamespaceOf.get().socket().toString()));
    } else {
      cmd.add(LauncherOption.USERNS.joined(userns));
    }
    cmd.addAll(List.of(LauncherOption.NET.text(), LauncherOption.UTS.text()));
    cmd.addAll(LauncherOption.HOSTNAME.with(hostname));
    Process p;
    try {
      p =
          new ProcessBuilder(cmd)
              .redirectInput(ProcessBuilder.Redirect.PIPE)
              .redirectOutput(ProcessBuilder.Redirect.PIPE)
              .redirectError(ProcessBuilder.Redirect.PIPE)
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "starting the namespace holder of "
              + name
              + " ("
              + String.join(" ", cmd)
              + "): "
              + e.getMessage()
              + "; build the launcher with 'mvn -pl native-helper compile'",
          e);
    }
    // The holder prints "ready" once it listens: loopback is up and the hostname set by then.
    CompletableFuture<String> ready =
        CompletableFuture.supplyAsync(
            () -> firstLine(p.getInputStream()),
            r -> {
              Thread t = new Thread(r, "nsjunit-holder-start");
              t.setDaemon(true);
              t.start();
            });
    String line;
    try {
      line = ready.get(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      p.destroyForcibly();
      throw new IllegalStateException(
          "the namespace holder of "
              + name
              + " was not ready after "
              + READY_TIMEOUT_MS
              + " ms (command: "
              + String.join(" ", cmd)
              + ")");
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "interrupted while starting the namespace holder of " + name, e);
    } catch (ExecutionException e) {
      line = null;
    }
    Optional<ProcessHandle> child = p.toHandle().children().findFirst();
    if (!"ready".equals(line) || child.isEmpty()) {
      waitQuietly(p); // a launcher that failed exits by itself, with its own exit code
      p.destroyForcibly();
      throw new IllegalStateException(
          "the namespace holder of "
              + name
              + " ended"
              + (p.isAlive() ? "" : " with exit code " + p.exitValue())
              + " before it was ready: "
              + LauncherProcess.stderrText(p)
              + " (command: "
              + String.join(" ", cmd)
              + ")");
    }
    return new NamespaceHolder(name, p, child.get().pid(), socket);
  }

  /** The socket a launcher's {@code --join-holder} and {@code --userns-of} take. */
  Path socket() {
    return socket;
  }

  /**
   * A new descriptor of the holder's network namespace (for IFLA_NET_NS_FD); the caller closes it.
   */
  int netNamespace() {
    return HolderSocket.request(
        socket,
        HolderSocket.NET_NAMESPACE,
        0,
        0,
        0,
        "opening the network namespace of " + name,
        null);
  }

  /** A NETLINK_ROUTE socket in the holder's network namespace. */
  NetlinkSocket netlinkSocket(String where) {
    int fd =
        HolderSocket.request(
            socket,
            HolderSocket.SOCKET,
            LibC.AF_NETLINK,
            LibC.SOCK_RAW,
            LibC.NETLINK_ROUTE,
            "socket(AF_NETLINK, NETLINK_ROUTE) " + where,
            null);
    return NetlinkSocket.adopt(fd, where);
  }

  /**
   * A socket of {@code domain} and {@code type} (SOCK_NONBLOCK allowed) in the holder's network
   * namespace.
   */
  int inetSocket(int domain, int type, String what) {
    return HolderSocket.request(socket, HolderSocket.SOCKET, domain, type, 0, what, null);
  }

  /**
   * /dev/net/tun opened in the holder's network namespace: TUNSETIFF on it makes a device there.
   */
  int tun(String what) {
    return HolderSocket.request(
        socket,
        HolderSocket.TUN,
        0,
        0,
        0,
        what,
        "an emulated link needs /dev/net/tun readable and writable by this user: distributions make it 0666 (udev),"
            + " check 'ls -l /dev/net/tun' and 'chmod 0666 /dev/net/tun' as root, or load the tun module (modprobe tun)");
  }

  long holderPid() {
    return holderPid;
  }

  long launcherPid() {
    return launcher.pid();
  }

  /** Ends the holder: EOF on the launcher's stdin makes it SIGKILL the holder; waits for both. */
  @Override
  public void close() {
    LauncherProcess.end(launcher, Duration.ofSeconds(5));
    // The holder had PR_SET_PDEATHSIG(SIGKILL) towards the launcher, so it is gone too.
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      // removed with its directory
    }
  }

  /** Starts ending the holder without waiting (for closing many holders at once). */
  void beginClose() {
    LauncherProcess.closeLifeline(launcher);
  }

  private static String firstLine(InputStream out) {
    try {
      return new BufferedReader(new InputStreamReader(out, StandardCharsets.UTF_8)).readLine();
    } catch (IOException e) {
      return null;
    }
  }

  private static void waitQuietly(Process p) {
    try {
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "holder of "
        + name
        + " (pid "
        + holderPid
        + ", launcher "
        + launcher.pid()
        + ", socket "
        + socket
        + ")";
  }
}
