package dev.nsjunit.samples.limits;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsjunit.TmpFs;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What does the writer do when the disk is full? An 8 MiB private tmpfs answers that. */
class FullDiskSample {

  @Test
  @TmpFs(path = "/var/lib/myapp", size = "8M")
  void writerSeesNoSpaceLeftOnDevice() {
    assertThatThrownBy(
            () -> {
              try (OutputStream out = Files.newOutputStream(Path.of("/var/lib/myapp/journal"))) {
                byte[] block = new byte[1 << 20];
                for (int i = 0; i < 16; i++) {
                  out.write(block);
                }
              }
            })
        .hasMessageContaining("No space left on device");
  }
}
