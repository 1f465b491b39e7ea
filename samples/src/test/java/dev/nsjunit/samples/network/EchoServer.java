package dev.nsjunit.samples.network;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.Socket;

/** A line echo server ("ping" answers "pong"), started on another host of a topology. */
public final class EchoServer {
  public static void main(String[] args) throws Exception {
    try (ServerSocket server = new ServerSocket(Integer.parseInt(args[0]))) {
      System.out.println("echo server on port " + server.getLocalPort());
      while (true) {
        Socket client = server.accept();
        new Thread(() -> serve(client)).start();
      }
    }
  }

  private static void serve(Socket client) {
    try (client;
        BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream()));
        PrintWriter out = new PrintWriter(client.getOutputStream(), true)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        out.println(line.equals("ping") ? "pong" : line);
      }
    } catch (Exception e) {
      // client went away
    }
  }
}
