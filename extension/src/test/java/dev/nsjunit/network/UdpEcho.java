package dev.nsjunit.network;

import java.net.DatagramPacket;
import java.net.DatagramSocket;

/** Echoes every UDP datagram back to its sender, started on another host. */
public final class UdpEcho {
  public static void main(String[] args) throws Exception {
    try (DatagramSocket socket = new DatagramSocket(Integer.parseInt(args[0]))) {
      byte[] buffer = new byte[1500];
      while (true) {
        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        socket.receive(p);
        socket.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
      }
    }
  }
}
