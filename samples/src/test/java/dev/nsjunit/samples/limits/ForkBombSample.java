package dev.nsjunit.samples.limits;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsjunit.CgroupLimit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Code that starts a process per request runs out of pids in a container with a pids limit:
 * ProcessBuilder.start fails (fork fails, or the JVM cannot start the thread that watches the new
 * process: "unable to create native thread") instead of the machine grinding to a halt. The
 * leftover processes need no cleanup: they die with the sandbox.
 */
class ForkBombSample {

  @Test
  @CgroupLimit(pids = 64)
  void runawayProcessCreationIsStopped() {
    List<Process> processes = new ArrayList<>();
    assertThatThrownBy(
            () -> {
              for (int i = 0; i < 200; i++) {
                processes.add(new ProcessBuilder("sleep", "600").start());
              }
            })
        .isInstanceOfAny(
            IOException.class, OutOfMemoryError.class); // fork, or the JVM's watcher thread, fails
  }
}
