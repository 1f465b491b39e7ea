package dev.nsjunit.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsjunit.HostProcess;
import dev.nsjunit.Link;
import dev.nsjunit.Network;
import dev.nsjunit.OnHost;
import dev.nsjunit.Topology;
import dev.nsjunit.internal.cleanup.LeakAudit;
import dev.nsjunit.internal.lab.Lab;
import dev.nsjunit.testing.SandboxKit;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** Named hosts, links and faults, with real traffic between real network namespaces. */
class NetworkLabTest {

  /**
   * A generous request timeout: it only keeps a broken test from hanging. Under software emulation
   * with one vCPU (the cgroup v2 guest) a host's server JVM has needed more than 5 s to answer its
   * first request.
   */
  static String get(HttpClient client, String url) throws Exception {
    return client
        .send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  static void assertNothingLeftByThisJvm() {
    long self = ProcessHandle.current().pid();
    List<LeakAudit.Leftover> mine =
        LeakAudit.scan().stream()
            .filter(l -> l.ownerPid() == self && !l.kind().equals("run directory"))
            .collect(Collectors.toList());
    assertThat(mine).as("left behind by this JVM's tests").isEmpty();
    // Not LeakAudit.orphans(): what other, dead JVMs left on the machine (a fixture killed by
    // another test class) is not this test's doing; the leak audit at the end of CI checks that.
  }

  @Test
  void httpServerOnOneHostAnswersAClientOnAnotherByNameAndAPartitionTimesOutUntilHealed() {
    SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "clientAndServer");
    run.assertAllPassed(1);
    assertThat(run.stdout()).contains("[server/1] listening on server:8080");
    assertNothingLeftByThisJvm();
  }

  @Test
  void rateMeasurablySlowsATransfer() {
    SandboxKit.runMethod(Cases.class, "slowLink").assertAllPassed(1);
  }

  @Test
  void downLinkFailsFastWithNetworkUnreachable() {
    SandboxKit.runMethod(Cases.class, "linkDown").assertAllPassed(1);
  }

  @Test
  void twoConcurrentTestsOfAClassExchangeMessagesOverAClassLevelTopology() {
    SandboxKit.Run run =
        SandboxKit.run(
            PairCases.class,
            Map.of(
                "junit.jupiter.execution.parallel.enabled", "true",
                "junit.jupiter.execution.parallel.config.strategy", "fixed",
                "junit.jupiter.execution.parallel.config.fixed.parallelism", "2"));
    run.assertAllPassed(2);
    assertNothingLeftByThisJvm();
  }

  @Test
  void netemDelayEitherWorksOrFailsNamingTheMissingModule() {
    SandboxKit.Run run = SandboxKit.runMethod(Cases.class, "delayedLink");
    if (Lab.netemMissing().isPresent()) {
      Throwable t = run.failureOf("delayedLink");
      assertThat(t).hasMessageContaining("sch_netem").hasMessageContaining("modprobe sch_netem");
      SandboxKit.Run skipped =
          SandboxKit.run(DelayCases.class, Map.of("nsjunit.netem.missing", "skip"));
      assertThat(skipped.abortOf("delayed")).hasMessageContaining("sch_netem");
      skipped.results().testEvents().assertStatistics(s -> s.aborted(1));
    } else {
      run.assertAllPassed(1);
    }
  }

  static class Cases {
    @org.junit.jupiter.api.Test
    @Topology(
        hosts = {"client", "server"},
        links = @Link(between = {"client", "server"}))
    @OnHost("client")
    void clientAndServer(Network net) throws Exception {
      assertThat(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip())
          .isEqualTo("client");
      try (HostProcess server = net.host("server").startJava(HelloServer.class, "8080")) {
        server.awaitPort(8080);
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(1500)).build();
        assertThat(get(client, "http://server:8080/")).isEqualTo("hello from server");

        net.link("client", "server").partition();
        long start = System.nanoTime();
        HttpClient fresh = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(1500)).build();
        assertThatThrownBy(() -> get(fresh, "http://server:8080/"))
            .isInstanceOf(HttpConnectTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start))
            .as("a silent drop, not a fast failure")
            .isGreaterThanOrEqualTo(Duration.ofMillis(1400));

        net.link("client", "server").heal();
        assertThat(get(HttpClient.newHttpClient(), "http://server:8080/"))
            .isEqualTo("hello from server");
      }
    }

    @org.junit.jupiter.api.Test
    @Topology(
        hosts = {"client", "server"},
        links = @Link(between = {"client", "server"}))
    void slowLink(Network net) throws Exception {
      try (HostProcess server = net.host("server").startJava(HelloServer.class, "8080")) {
        server.awaitPort(8080);
        HttpClient client = HttpClient.newHttpClient();
        get(client, "http://server:8080/?n=1000"); // warm up the connection and the JIT
        long fast = timed(client, 400_000);
        net.link("client", "server").rate("2mbit");
        long slow = timed(client, 400_000);
        System.out.println("400 kB: " + fast + " ms unlimited, " + slow + " ms at 2mbit");
        assertThat(slow).isGreaterThan(Math.max(1000, 5 * fast)); // 3.2 Mbit at 2 Mbit/s is 1.6 s
      }
    }

    static long timed(HttpClient client, int bytes) throws Exception {
      long start = System.nanoTime();
      HttpResponse<byte[]> r =
          client.send(
              HttpRequest.newBuilder(URI.create("http://server:8080/?n=" + bytes)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.body()).hasSize(bytes);
      return (System.nanoTime() - start) / 1_000_000;
    }

    @org.junit.jupiter.api.Test
    @Topology(
        hosts = {"client", "server"},
        links = @Link(between = {"client", "server"}))
    void linkDown(Network net) throws Exception {
      try (ServerSocket server = new ServerSocket()) {
        server.bind(new InetSocketAddress(0));
        net.link("client", "server").down();
        // "Network is unreachable" is the kernel's immediate answer; a silent drop would end in a
        // SocketTimeoutException after the 5 s instead: the exception tells the two apart.
        assertThatThrownBy(
                () -> {
                  try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(net.address("server"), 80), 5000);
                  }
                })
            .isInstanceOf(java.net.SocketException.class)
            .isNotInstanceOf(java.net.SocketTimeoutException.class)
            .hasMessageContaining("Network is unreachable");
        net.link("client", "server").up();
      }
    }

    @org.junit.jupiter.api.Test
    @Topology(
        hosts = {"client", "server"},
        links =
            @Link(
                between = {"client", "server"},
                delay = "40ms"))
    void delayedLink(Network net) throws Exception {
      try (HostProcess server = net.host("server").startJava(HelloServer.class, "8080")) {
        server.awaitPort(8080);
        long start = System.nanoTime();
        get(HttpClient.newHttpClient(), "http://server:8080/");
        assertThat(Duration.ofNanos(System.nanoTime() - start))
            .isGreaterThan(Duration.ofMillis(160));
      }
    }
  }

  static class DelayCases {
    @org.junit.jupiter.api.Test
    @Topology(
        hosts = {"a", "b"},
        links =
            @Link(
                between = {"a", "b"},
                delay = "40ms"))
    void delayed() {}
  }

  /** Two tests of one class on two hosts of one class-level network, talking to each other. */
  @Topology(
      hosts = {"alpha", "beta"},
      links = @Link(between = {"alpha", "beta"}))
  @Execution(ExecutionMode.CONCURRENT)
  static class PairCases {
    @org.junit.jupiter.api.Test
    @OnHost("beta")
    void betaAnswers() throws Exception {
      try (ServerSocket server = new ServerSocket(9000)) {
        server.setSoTimeout(60_000);
        try (Socket peer = server.accept();
            BufferedReader in = new BufferedReader(new InputStreamReader(peer.getInputStream()));
            PrintWriter out = new PrintWriter(peer.getOutputStream(), true)) {
          assertThat(in.readLine()).isEqualTo("hello from alpha");
          out.println("hello from beta");
        }
      }
    }

    @org.junit.jupiter.api.Test
    @OnHost("alpha")
    void alphaCalls() throws Exception {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (true) {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("beta", 9000), 1000);
          PrintWriter out = new PrintWriter(s.getOutputStream(), true);
          BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream()));
          out.println("hello from alpha");
          assertThat(in.readLine()).isEqualTo("hello from beta");
          return;
        } catch (ConnectException notYetListening) {
          if (System.nanoTime() > deadline) {
            throw notYetListening;
          }
          Thread.sleep(100);
        }
      }
    }
  }
}
