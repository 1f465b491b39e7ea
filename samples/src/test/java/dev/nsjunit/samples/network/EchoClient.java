package dev.nsjunit.samples.network;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/** The code under test: a client with a connect and read timeout, and a retry policy. */
public final class EchoClient {
  private final String host;
  private final int port;
  private final Duration timeout;

  public EchoClient(String host, int port, Duration timeout) {
    this.host = host;
    this.port = port;
    this.timeout = timeout;
  }

  public String call(String message) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      s.setSoTimeout((int) timeout.toMillis());
      new PrintWriter(s.getOutputStream(), true).println(message);
      return new BufferedReader(new InputStreamReader(s.getInputStream())).readLine();
    }
  }

  /** Retries until an answer comes or {@code attempts} are used up. */
  public String callWithRetry(String message, int attempts, Duration pause)
      throws IOException, InterruptedException {
    IOException last = null;
    for (int i = 0; i < attempts; i++) {
      try {
        return call(message);
      } catch (IOException e) {
        last = e;
        Thread.sleep(pause.toMillis());
      }
    }
    throw last;
  }
}
