package dev.nsjunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.IsolatedNetns;
import java.net.BindException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.util.Collections;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Each test gets a network of its own with only loopback: a fixed port never clashes with another
 * test or with a service on the build machine.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IsolatedNetnsSample {
  static ServerSocket serviceOnThisMachine;

  @Test
  @Order(1)
  void aServiceOnThisMachineHoldsPort8080() throws Exception {
    try {
      serviceOnThisMachine = new ServerSocket(8080, 50, InetAddress.getLoopbackAddress());
    } catch (BindException alreadyInUse) {
      // a real service holds it: just as good
    }
  }

  @Test
  @Order(2)
  @IsolatedNetns
  void bindsTheSamePortWithoutClashing() throws Exception {
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

  @AfterAll
  static void stopTheService() throws Exception {
    if (serviceOnThisMachine != null) {
      serviceOnThisMachine.close();
    }
  }
}
