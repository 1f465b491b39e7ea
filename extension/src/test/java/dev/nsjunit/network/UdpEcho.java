package dev.nsjunit.network;

import java.net.DatagramPacket;
import java.net.DatagramSocket;

/** Echoes every UDP datagram back to its sender, started on another host. */
public final class UdpEcho {
  /** Printed, followed by the port, once the socket is bound. */
  static final String BOUND = "echoing on udp port ";

  public static void main(String[] args) throws Exception {
    try (DatagramSocket socket = new DatagramSocket(Integer.parseInt(args[0]))) {
      System.out.println(BOUND + socket.getLocalPort());
      System.out.flush();
      byte[] buffer = new byte[1500];
      while (true) {
        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        socket.receive(p);
        socket.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
      }
    }
  }
}
