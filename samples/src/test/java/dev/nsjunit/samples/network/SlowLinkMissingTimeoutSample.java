package dev.nsjunit.samples.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.nsjunit.Link;
import dev.nsjunit.Network;
import dev.nsjunit.OnHost;
import dev.nsjunit.Topology;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A slow link exposes a missing timeout: the JDK HttpClient's request timeout bounds only the wait
 * for the headers, so a slow body download runs far past it; a deadline on the whole exchange fixes
 * it. The rate is declared on the link (token bucket, works on every kernel).
 *
 * <pre>
 *   [app] ──── 256kbit ──── [storage]
 *     └ this test              └ HttpServer serving a 128 KiB object
 * </pre>
 */
@Topology(
    hosts = {"app", "storage"},
    links =
        @Link(
            between = {"app", "storage"},
            rate = "256kbit"))
class SlowLinkMissingTimeoutSample {

  @Test
  @OnHost("app")
  void requestTimeoutDoesNotBoundTheDownloadButADeadlineDoes(Network net) throws Exception {
    try (var server = net.host("storage").startJava(ObjectServer.class, "8081")) {
      server.awaitPort(8081);
      HttpClient client = HttpClient.newHttpClient();
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://storage:8081/object"))
              .timeout(Duration.ofSeconds(2))
              .build();

      // The bug: HttpRequest.timeout only covers the wait for the response headers. The body
      // (128 KiB at 256 kbit/s: about 4 s) keeps coming long after the "2 s timeout".
      long start = System.nanoTime();
      byte[] body = client.send(request, HttpResponse.BodyHandlers.ofByteArray()).body();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(body).hasSize(128 * 1024);
      assertThat(took)
          .as("the slow link outlived the request timeout")
          .isGreaterThan(Duration.ofSeconds(3));

      // The fix: a deadline on the whole exchange. It gives up while the body is still coming.
      assertThatThrownBy(
              () ->
                  client
                      .sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                      .orTimeout(2, TimeUnit.SECONDS)
                      .join())
          .hasCauseInstanceOf(TimeoutException.class);
    }
  }

  /** Serves a 128 KiB object. */
  public static final class ObjectServer {
    public static void main(String[] args) throws Exception {
      HttpServer server = HttpServer.create(new InetSocketAddress(Integer.parseInt(args[0])), 10);
      byte[] object = new byte[128 * 1024];
      server.createContext(
          "/object",
          exchange -> {
            exchange.sendResponseHeaders(200, object.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(object);
            } catch (java.io.IOException clientGaveUp) {
              // expected when the client's timeout fires
            }
          });
      server.start();
    }
  }
}
