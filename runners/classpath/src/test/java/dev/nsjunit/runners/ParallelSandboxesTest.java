package dev.nsjunit.runners;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.Hostname;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Three sandboxes at once (with JaCoCo on, each child appends to the same exec file at exit). The
 * hostnames name each child's JaCoCo session, so the coverage check can tell every child wrote.
 */
@Execution(ExecutionMode.CONCURRENT)
class ParallelSandboxesTest {

  @Test
  @Hostname("cov-1")
  void first() throws Exception {
    check("cov-1");
  }

  @Test
  @Hostname("cov-2")
  void second() throws Exception {
    check("cov-2");
  }

  @Test
  @Hostname("cov-3")
  void third() throws Exception {
    check("cov-3");
  }

  private static void check(String host) throws Exception {
    assertThat(ProcessHandle.current().pid()).isEqualTo(2L);
    assertThat(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip()).isEqualTo(host);
    assertThat(Greeting.fromSandbox(host)).isEqualTo("hello " + host + " from pid 2");
  }
}
