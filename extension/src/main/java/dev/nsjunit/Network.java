package dev.nsjunit;

import java.net.InetAddress;

/**
 * The test's view of its {@link Topology}, injected as a test method parameter: other hosts (to
 * start processes there) and links (to inject faults while the test runs). Everything started
 * through it is killed when the test ends, and its output is attached to the test's output.
 */
public interface Network {
  /** The host this test runs on. */
  String self();

  NetworkHost host(String name);

  /** The link between two hosts (for a LAN: those two hosts' attachments to it). */
  LinkFaults link(String a, String b);

  InetAddress address(String host);
}
