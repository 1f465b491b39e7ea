package dev.nsjunit;

import java.net.InetAddress;

/** A host of the test's {@link Topology}: processes started here live in its network namespace. */
public interface NetworkHost {
  String name();

  InetAddress address();

  /** Starts a command on this host (argv, no shell), in a sandbox of its own on that host. */
  HostProcess start(String... command);

  /** Starts {@code mainClass} in a JVM on this host, with the test's classpath. */
  HostProcess startJava(Class<?> mainClass, String... args);
}
