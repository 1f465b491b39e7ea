package dev.nsjunit.internal.network;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A process that keeps a host's namespaces alive: {@code nsjunit-launch --net --uts --hostname
 * NAME -- sleep infinity}. Its stdin is a pipe only this JVM holds, so when the JVM ends, even by
 * SIGKILL, the launcher sees EOF and SIGKILLs the sleep, and the namespace (with its veths)
 * goes with it. No bind mount in /run/netns is ever made.
 */
final class NamespaceHolder implements AutoCloseable {
  private static final long READY_TIMEOUT_MS = 10_000;
  private final String name;
  private final Process launcher;
  private final long holderPid;

  private NamespaceHolder(String name, Process launcher, long holderPid) {
    this.name = name;
    this.launcher = launcher;
    this.holderPid = holderPid;
  }

  /** Starts a holder whose UTS hostname is {@code hostname}; {@code name} is used in messages. */
  static NamespaceHolder start(Path launcherBinary, String name, String hostname) {
    List<String> cmd = List.of(launcherBinary.toString(), "--net", "--uts", "--hostname", hostname, "--",
        sleepBinary(), "infinity");
    Process p;
    try {
      p = new ProcessBuilder(cmd)
          .redirectInput(ProcessBuilder.Redirect.PIPE)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.PIPE)
          .start();
    } catch (IOException e) {
      throw new IllegalStateException("starting the namespace holder of " + name + " (" + String.join(" ", cmd) + "): "
          + e.getMessage() + "; build the launcher with 'mvn -pl native-helper compile'", e);
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
    while (true) {
      Optional<ProcessHandle> child = p.toHandle().children().findFirst();
      // Ready once the clone child has exec'd sleep: loopback is up and the hostname set by then.
      if (child.isPresent() && "sleep".equals(comm(child.get().pid()))) {
        return new NamespaceHolder(name, p, child.get().pid());
      }
      if (!p.isAlive()) {
        throw new IllegalStateException("the namespace holder of " + name + " ended with exit code " + p.exitValue()
            + " before it was ready: " + stderr(p) + " (command: " + String.join(" ", cmd) + ")");
      }
      if (System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IllegalStateException("the namespace holder of " + name + " was not ready after "
            + READY_TIMEOUT_MS + " ms (command: " + String.join(" ", cmd) + ")");
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting the namespace holder of " + name, e);
      }
    }
  }

  /** The network namespace, as a path a launcher's {@code --join-net} or setns() accepts. */
  Path netns() {
    return Path.of("/proc", Long.toString(holderPid), "ns", "net");
  }

  long holderPid() {
    return holderPid;
  }

  long launcherPid() {
    return launcher.pid();
  }

  /** Ends the holder: EOF on the launcher's stdin makes it SIGKILL the sleep; waits for both. */
  @Override
  public void close() {
    try {
      launcher.getOutputStream().close();
    } catch (IOException e) {
      // The pipe is gone already: the launcher has seen EOF or ended.
    }
    try {
      if (!launcher.waitFor(5, TimeUnit.SECONDS)) {
        launcher.destroyForcibly();
        launcher.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      launcher.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    // The sleep had PR_SET_PDEATHSIG(SIGKILL) towards the launcher, so it is gone too.
  }

  /** Starts ending the holder without waiting (for closing many holders at once). */
  void beginClose() {
    try {
      OutputStream in = launcher.getOutputStream();
      in.close();
    } catch (IOException e) {
      // already closed
    }
  }

  private static String comm(long pid) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim();
    } catch (IOException e) {
      return "";
    }
  }

  private static String stderr(Process p) {
    try (InputStream err = p.getErrorStream()) {
      String s = new String(err.readNBytes(4096), StandardCharsets.UTF_8).trim();
      return s.isEmpty() ? "(no message)" : s;
    } catch (IOException e) {
      return "(stderr unreadable: " + e.getMessage() + ")";
    }
  }

  private static String sleepBinary() {
    for (String p : List.of("/bin/sleep", "/usr/bin/sleep")) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    return "sleep";
  }

  @Override
  public String toString() {
    return "holder of " + name + " (pid " + holderPid + ", launcher " + launcher.pid() + ")";
  }
}
