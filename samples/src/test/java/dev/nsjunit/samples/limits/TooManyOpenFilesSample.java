package dev.nsjunit.samples.limits;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsjunit.Rlimit;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A connection leak hits "Too many open files" at 64 descriptors, not after hours in production.
 */
class TooManyOpenFilesSample {

  @Test
  @Rlimit(nofile = 64)
  void leakingStreamsRunOutOfDescriptors() throws IOException {
    List<InputStream> leaked = new ArrayList<>();
    try {
      assertThatThrownBy(
              () -> {
                for (int i = 0; i < 200; i++) {
                  leaked.add(Files.newInputStream(Path.of("/proc/self/status")));
                }
              })
          .hasMessageContaining("Too many open files");
    } finally {
      for (InputStream in : leaked) {
        in.close();
      }
    }
  }
}
