package dev.nsjunit.internal.lab;

import dev.nsjunit.LinkFaults;
import dev.nsjunit.Network;
import dev.nsjunit.NetworkHost;
import java.net.InetAddress;

/** The Network "resolved" in the parent for a test whose invocation runs in the sandbox instead. */
public enum ParentStandInNetwork implements Network {
  INSTANCE;

  private static UnsupportedOperationException outside() {
    return new UnsupportedOperationException("a Network works inside the test's sandbox only");
  }

  @Override
  public String self() {
    throw outside();
  }

  @Override
  public NetworkHost host(String name) {
    throw outside();
  }

  @Override
  public LinkFaults link(String a, String b) {
    throw outside();
  }

  @Override
  public InetAddress address(String host) {
    throw outside();
  }
}
