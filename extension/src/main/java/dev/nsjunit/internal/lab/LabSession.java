package dev.nsjunit.internal.lab;

import dev.nsjunit.internal.launcher.LauncherProcess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * What one sandboxed test does to its network lab from inside, carried out by the parent (which
 * owns the lab): faults on links and processes on other hosts. Every process started here is
 * stopped when the test ends, and its output goes to the test's output.
 */
public final class LabSession implements AutoCloseable {
  /** How a host process is started: the launcher's options to enter a host, then the command. */
  public interface ProcessLauncher {
    List<String> enterHost(String host);

    List<String> javaCommand(String mainClass, List<String> args);
  }

  private static final int MAX_OUTPUT = 1 << 20;

  private final Lab lab;
  private final ProcessLauncher launcher;
  private final Map<Integer, HostProcessRecord> processes = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();

  public LabSession(Lab lab, ProcessLauncher launcher) {
    this.lab = lab;
    this.launcher = launcher;
  }

  /** Carries out one call; returns its value or throws with a message for the test. */
  public String handle(String operation, List<String> args) throws Exception {
    switch (operation) {
      case "address":
        return lab.address(args.get(0)).getHostAddress();
      case "link":
        link(args);
        return "";
      case "start":
        return Integer.toString(start(args.get(0), args.get(1), args.subList(2, args.size())));
      case "awaitPort":
        process(args.get(0))
            .awaitPort(
                Integer.parseInt(args.get(1)), Duration.ofMillis(Long.parseLong(args.get(2))));
        return "";
      case "output":
        return process(args.get(0)).output();
      case "alive":
        return Boolean.toString(process(args.get(0)).process.isAlive());
      case "waitFor":
        return Integer.toString(
            process(args.get(0)).waitFor(Duration.ofMillis(Long.parseLong(args.get(1)))));
      case "stop":
        process(args.get(0)).stop();
        return "";
      default:
        throw new IllegalArgumentException("unknown network operation " + operation);
    }
  }

  private void link(List<String> args) {
    LinkControl link = lab.link(args.get(0), args.get(1));
    String action = args.get(2);
    switch (action) {
      case "down" -> link.down();
      case "up" -> link.up();
      case "partition" -> link.partition();
      case "partitionOneWay" -> link.partitionOneWay(args.get(3), args.get(4));
      case "heal" -> link.heal();
      case "rate" -> link.rate(args.get(3));
      case "clearRate" -> link.clearRate();
      case "delay" -> link.netem(Netem.NONE.withDelay(FaultText.duration("delay", args.get(3))));
      case "loss" -> link.netem(Netem.NONE.withLoss(FaultText.percent("loss", args.get(3))));
      case "clearNetem" -> link.clearNetem();
      default -> throw new IllegalArgumentException("unknown link fault " + action);
    }
  }

  private int start(String host, String kind, List<String> command) throws IOException {
    lab.holderSocket(host); // validates the host name
    List<String> argv = new ArrayList<>(launcher.enterHost(host));
    argv.add("--");
    if (kind.equals("java")) {
      argv.addAll(launcher.javaCommand(command.get(0), command.subList(1, command.size())));
    } else {
      argv.addAll(command);
    }
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    int id = ids.incrementAndGet();
    HostProcessRecord record = new HostProcessRecord(id, host, p);
    processes.put(id, record);
    return id;
  }

  private HostProcessRecord process(String id) {
    HostProcessRecord r = processes.get(Integer.parseInt(id));
    if (r == null) {
      throw new IllegalArgumentException("no host process " + id);
    }
    return r;
  }

  /** Stops every host process; hands each one's output to {@code output} (host, text). */
  public void close(BiConsumer<String, String> output) {
    for (HostProcessRecord r : processes.values()) {
      r.stop();
      String text = r.output();
      if (!text.isEmpty()) {
        output.accept(r.host + "/" + r.id, text);
      }
    }
    processes.clear();
  }

  @Override
  public void close() {
    close((h, t) -> {});
  }

  private final class HostProcessRecord {
    final int id;
    final String host;
    final Process process;
    private final StringBuilder output = new StringBuilder();
    private final Thread pump;

    HostProcessRecord(int id, String host, Process process) {
      this.id = id;
      this.host = host;
      this.process = process;
      this.pump = new Thread(this::pump, "nsjunit-host-" + host + "-" + id);
      pump.setDaemon(true);
      pump.start();
    }

    private void pump() {
      byte[] buffer = new byte[8192];
      try (InputStream in = process.getInputStream()) {
        int n;
        while ((n = in.read(buffer)) > 0) {
          synchronized (output) {
            if (output.length() < MAX_OUTPUT) {
              output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
          }
        }
      } catch (IOException ended) {
        // the process is gone
      }
    }

    String output() {
      synchronized (output) {
        return output.toString();
      }
    }

    void awaitPort(int port, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        if (lab.acceptsConnections(host, port, 200)) {
          return;
        }
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "the process on host \""
                  + host
                  + "\" ended (exit code "
                  + process.exitValue()
                  + ") before anything listened on port "
                  + port
                  + "; its output:\n"
                  + output());
        }
        Thread.sleep(50);
      }
      throw new IllegalStateException(
          "nothing listened on port "
              + port
              + " of host \""
              + host
              + "\" within "
              + timeout.toMillis()
              + " ms; the process's output so far:\n"
              + output());
    }

    int waitFor(Duration timeout) throws InterruptedException {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /**
     * Closing the launcher's stdin makes it kill its sandbox (and so everything the process
     * started).
     */
    void stop() {
      LauncherProcess.end(process, Duration.ofSeconds(2));
      try {
        pump.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
