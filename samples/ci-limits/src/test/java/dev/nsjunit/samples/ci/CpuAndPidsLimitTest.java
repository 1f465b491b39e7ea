package dev.nsjunit.samples.ci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.nsjunit.CgroupLimit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A CPU quota the JVM sizes its pools from, and a process limit a runaway spawner runs into. */
class CpuAndPidsLimitTest {

  @Test
  @CgroupLimit(cpus = "0.5")
  void jvmSeesOneCpuUnderAHalfCpuQuota() {
    assertThat(Runtime.getRuntime().availableProcessors()).isEqualTo(1);
  }

  @Test
  @CgroupLimit(pids = 48)
  void runawaySpawnerHitsThePidsLimit() throws Exception {
    List<Process> started = new ArrayList<>();
    try {
      Throwable refused =
          catchThrowable(
              () -> {
                for (int i = 0; i < 100; i++) {
                  started.add(new ProcessBuilder("sleep", "60").start());
                }
              });
      // fork fails (EAGAIN), or the thread the JVM starts to watch each process does; the JVM's
      // own threads count too, so the limit is reached well before 48 processes
      assertThat(refused).isInstanceOfAny(IOException.class, OutOfMemoryError.class);
      assertThat(refused.getMessage()).containsAnyOf("error=11", "unable to create native thread");
      assertThat(started.size()).isLessThan(48);
    } finally {
      started.forEach(Process::destroyForcibly);
    }
  }
}
