package dev.nsjunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.IsolatedIpc;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** System V IPC objects of other programs (shared memory, semaphores) are invisible inside. */
class IsolatedIpcSample {

  @Test
  @IsolatedIpc
  void startsWithEmptyIpcTables() throws Exception {
    // Only the header line: no shared memory segment of the host leaks in.
    assertThat(Files.readAllLines(Path.of("/proc/sysvipc/shm"))).hasSize(1);
    assertThat(Files.readAllLines(Path.of("/proc/sysvipc/sem"))).hasSize(1);
  }
}
