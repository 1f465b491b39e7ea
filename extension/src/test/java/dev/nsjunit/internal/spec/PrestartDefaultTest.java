package dev.nsjunit.internal.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** nsjunit.prestart=auto: the cores JUnit's own threads leave free, bounded by memory. */
class PrestartDefaultTest {
  private static final long GIB = 1L << 30;

  @Test
  void sandboxesBootAheadOnTheCoresTheRunningTestsLeaveFree() {
    assertThat(Configuration.automaticPrestart(2, 24 * GIB, 1)).as("2 cores, sequential").isOne();
    assertThat(Configuration.automaticPrestart(8, 24 * GIB, 1))
        .as("8 cores, sequential")
        .isEqualTo(7);
    assertThat(Configuration.automaticPrestart(2, 24 * GIB, 2)).as("2 cores, 2 threads").isZero();
    assertThat(Configuration.automaticPrestart(8, 24 * GIB, 4))
        .as("8 cores, 4 threads")
        .isEqualTo(4);
    assertThat(Configuration.automaticPrestart(1, 24 * GIB, 1)).as("1 core").isZero();
  }

  @Test
  void littleMemoryBoundsHowManyWait() {
    // A sixteenth of what is available, at 64 MiB per waiting JVM.
    assertThat(Configuration.automaticPrestart(8, 2 * GIB, 1)).isEqualTo(2);
    assertThat(Configuration.automaticPrestart(8, GIB / 2, 1)).isZero();
  }

  @Test
  void testThreadsFollowJupitersParallelExecutionParameters() {
    int cores = Runtime.getRuntime().availableProcessors();
    assertThat(Configuration.testThreads(params(Map.of()))).isOne();
    assertThat(
            Configuration.testThreads(
                params(Map.of("junit.jupiter.execution.parallel.enabled", "false"))))
        .isOne();
    assertThat(
            Configuration.testThreads(
                params(
                    Map.of(
                        "junit.jupiter.execution.parallel.enabled", "true",
                        "junit.jupiter.execution.parallel.config.strategy", "fixed",
                        "junit.jupiter.execution.parallel.config.fixed.parallelism", "3"))))
        .isEqualTo(3);
    assertThat(
            Configuration.testThreads(
                params(Map.of("junit.jupiter.execution.parallel.enabled", "true"))))
        .as("dynamic, factor 1")
        .isEqualTo(cores);
    assertThat(
            Configuration.testThreads(
                params(
                    Map.of(
                        "junit.jupiter.execution.parallel.enabled", "true",
                        "junit.jupiter.execution.parallel.config.dynamic.factor", "2"))))
        .isEqualTo(2 * cores);
  }

  @Test
  void anExplicitCountIsKeptAndAutoIsTheDefault() {
    assertThat(Configuration.from(params(Map.of("nsjunit.prestart", "5"))).prestart()).isEqualTo(5);
    assertThat(Configuration.from(params(Map.of("nsjunit.prestart", "0"))).prestart()).isZero();
    int cores = Runtime.getRuntime().availableProcessors();
    assertThat(Configuration.from(params(Map.of())).prestart()).isBetween(0, cores - 1);
  }

  private static java.util.function.Function<String, Optional<String>> params(
      Map<String, String> values) {
    return key -> Optional.ofNullable(values.get(key));
  }
}
