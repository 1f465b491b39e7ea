package dev.nsjunit.samples.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsjunit.HostProcess;
import dev.nsjunit.Link;
import dev.nsjunit.Network;
import dev.nsjunit.OnHost;
import dev.nsjunit.Topology;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A client's retry policy across a network partition: while the link silently drops packets the
 * call times out (a real partition, not a refused connection); a retry that outlives the partition
 * succeeds once it heals.
 *
 * <pre>
 *   [client] ───────── [server]
 *      └ this test        └ EchoServer
 * </pre>
 */
@Topology(
    hosts = {"client", "server"},
    links = @Link(between = {"client", "server"}))
class RetryUnderPartitionSample {

  @Test
  @OnHost("client")
  void retriesUntilServerAnswers(Network net) throws Exception {
    try (HostProcess server = net.host("server").startJava(EchoServer.class, "7000")) {
      server.awaitPort(7000);
      EchoClient client =
          new EchoClient("server", 7000, Duration.ofMillis(500)); // "server" resolves
      assertThat(client.call("ping")).isEqualTo("pong");

      net.link("client", "server").partition(); // silent drop
      assertThatThrownBy(() -> client.call("ping")).isInstanceOf(SocketTimeoutException.class);

      CompletableFuture<String> retrying =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return client.callWithRetry("ping", 20, Duration.ofMillis(200));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      Thread.sleep(1000);
      net.link("client", "server").heal();
      assertThat(retrying.get()).isEqualTo("pong");
    }
  }
}
