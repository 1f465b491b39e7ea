package dev.nsjunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.IsolatedNetns;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.util.Collections;
import org.junit.jupiter.api.Test;

/**
 * Each test gets a network of its own with only loopback: a fixed port never clashes with another
 * test or with a service on the build machine.
 */
class IsolatedNetnsSample {

  @Test
  @IsolatedNetns
  void bindsTheWellKnownPortWithoutClashing() throws Exception {
    try (ServerSocket server = new ServerSocket(8080, 50, InetAddress.getLoopbackAddress())) {
      assertThat(server.getLocalPort()).isEqualTo(8080);
    }
  }

  @Test
  @IsolatedNetns
  void onlyLoopbackExists() throws Exception {
    assertThat(Collections.list(NetworkInterface.getNetworkInterfaces()))
        .extracting(NetworkInterface::getName)
        .containsExactly("lo");
  }
}
