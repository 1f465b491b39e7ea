package dev.nsjunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.Hostname;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Code that derives a node id from the hostname, tested with the hostname production has. */
class HostnameSample {

  static String nodeId() throws Exception {
    String host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    return host.substring(host.lastIndexOf('-') + 1);
  }

  @Test
  @Hostname("kafka-broker-3")
  void nodeIdComesFromTheHostname() throws Exception {
    assertThat(nodeId()).isEqualTo("3");
  }
}
