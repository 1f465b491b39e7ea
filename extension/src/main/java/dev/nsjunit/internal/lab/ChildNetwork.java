package dev.nsjunit.internal.lab;

import dev.nsjunit.HostProcess;
import dev.nsjunit.LinkFaults;
import dev.nsjunit.Network;
import dev.nsjunit.NetworkHost;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@link Network} a sandboxed test gets: each call goes to the parent, which owns the network
 * lab, over the channel (a NetworkCall answered by a NetworkAnswer).
 */
public final class ChildNetwork implements Network {
  /** System property with the host this sandbox runs on. */
  public static final String HOST_PROPERTY = "nsjunit.host";

  private final String self;

  public ChildNetwork(String self) {
    this.self = self;
  }

  @Override
  public String self() {
    return self;
  }

  @Override
  public NetworkHost host(String name) {
    return new Host(name);
  }

  @Override
  public LinkFaults link(String a, String b) {
    return new Faults(a, b);
  }

  @Override
  public InetAddress address(String host) {
    try {
      return InetAddress.getByName(
          NetworkCalls.call("address", List.of(host), Duration.ofSeconds(30)));
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private final class Host implements NetworkHost {
    private final String name;

    Host(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public InetAddress address() {
      return ChildNetwork.this.address(name);
    }

    @Override
    public HostProcess start(String... command) {
      if (command.length == 0) {
        throw new IllegalArgumentException("start(): give the command and its arguments");
      }
      List<String> args = new ArrayList<>(List.of(name, "command"));
      args.addAll(Arrays.asList(command));
      return new Process(name, NetworkCalls.call("start", args, Duration.ofSeconds(60)));
    }

    @Override
    public HostProcess startJava(Class<?> mainClass, String... mainArgs) {
      List<String> args = new ArrayList<>(List.of(name, "java", mainClass.getName()));
      args.addAll(Arrays.asList(mainArgs));
      return new Process(name, NetworkCalls.call("start", args, Duration.ofSeconds(60)));
    }
  }

  private static final class Process implements HostProcess {
    private final String host;
    private final String id;

    Process(String host, String id) {
      this.host = host;
      this.id = id;
    }

    @Override
    public void awaitPort(int port, Duration timeout) {
      NetworkCalls.call(
          "awaitPort",
          List.of(id, Integer.toString(port), Long.toString(timeout.toMillis())),
          timeout.plusSeconds(30));
    }

    @Override
    public String output() {
      return NetworkCalls.call("output", List.of(id), Duration.ofSeconds(30));
    }

    @Override
    public boolean isAlive() {
      return Boolean.parseBoolean(NetworkCalls.call("alive", List.of(id), Duration.ofSeconds(30)));
    }

    @Override
    public int waitFor(Duration timeout) {
      return Integer.parseInt(
          NetworkCalls.call(
              "waitFor", List.of(id, Long.toString(timeout.toMillis())), timeout.plusSeconds(30)));
    }

    @Override
    public void stop() {
      NetworkCalls.call("stop", List.of(id), Duration.ofSeconds(30));
    }

    @Override
    public String toString() {
      return "process " + id + " on host " + host;
    }
  }

  private static final class Faults implements LinkFaults {
    private final String a;
    private final String b;

    Faults(String a, String b) {
      this.a = a;
      this.b = b;
    }

    private void apply(String action, String... extra) {
      List<String> args = new ArrayList<>(List.of(a, b, action));
      args.addAll(Arrays.asList(extra));
      NetworkCalls.call("link", args, Duration.ofSeconds(30));
    }

    @Override
    public void down() {
      apply("down");
    }

    @Override
    public void up() {
      apply("up");
    }

    @Override
    public void partition() {
      apply("partition");
    }

    @Override
    public void partitionOneWay(String from, String to) {
      apply("partitionOneWay", from, to);
    }

    @Override
    public void heal() {
      apply("heal");
    }

    @Override
    public void rate(String rate) {
      apply("rate", rate);
    }

    @Override
    public void clearRate() {
      apply("clearRate");
    }

    @Override
    public void delay(String delay) {
      apply("delay", delay);
    }

    @Override
    public void loss(String percent) {
      apply("loss", percent);
    }

    @Override
    public void clearNetem() {
      apply("clearNetem");
    }
  }
}
