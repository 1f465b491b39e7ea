package dev.nsjunit.network;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A JDK HttpServer answering "hello from <hostname>" (and N bytes on /bytes?n=N), started on
 * another host.
 */
public final class HelloServer {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String host =
        java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).strip();
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 50);
    server.createContext(
        "/",
        exchange -> {
          byte[] body;
          String query = exchange.getRequestURI().getQuery();
          if (query != null && query.startsWith("n=")) {
            body = new byte[Integer.parseInt(query.substring(2))];
          } else {
            body = ("hello from " + host).getBytes(StandardCharsets.UTF_8);
          }
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    System.out.println("listening on " + host + ":" + port);
  }
}
