package dev.nsjunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.IsolatedIpc;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** System V IPC objects of other programs (shared memory, semaphores) are invisible inside. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IsolatedIpcSample {
  static String segment; // the shared memory segment of "another program" on this machine

  @Test
  @Order(1)
  void anotherProgramHasASharedMemorySegment() throws Exception {
    Process ipcmk = new ProcessBuilder("ipcmk", "-M", "4096").start(); // "Shared memory id: 7"
    String created = new String(ipcmk.getInputStream().readAllBytes()).strip();
    assertThat(ipcmk.waitFor()).isZero();
    segment = created.substring(created.lastIndexOf(' ') + 1);
    assertThat(Files.readAllLines(Path.of("/proc/sysvipc/shm"))).hasSizeGreaterThan(1);
  }

  @Test
  @Order(2)
  @IsolatedIpc
  void theSandboxStartsWithEmptyIpcTables() throws Exception {
    assertThat(Files.readAllLines(Path.of("/proc/sysvipc/shm"))).hasSize(1); // only the header line
  }

  @AfterAll
  static void removeTheSegment() throws Exception {
    if (segment != null) { // set only in the JVM that created it
      new ProcessBuilder("ipcrm", "-m", segment).start().waitFor();
    }
  }
}
