package dev.nsjunit.samples.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.CgroupLimit;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import org.junit.jupiter.api.Test;

/**
 * A pool sized from availableProcessors() on a one-CPU container: the JVM reports 1, so the pool
 * gets 2 threads, not the build machine's count. Check the sizing your service will really get.
 */
class ThreadPoolSizingSample {

  static ExecutorService workerPool() {
    return Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors() * 2);
  }

  @Test
  @CgroupLimit(cpus = "1")
  void poolIsSizedForOneCpu() {
    ExecutorService pool = workerPool();
    try {
      assertThat(Runtime.getRuntime().availableProcessors()).isEqualTo(1);
      assertThat(((ThreadPoolExecutor) pool).getCorePoolSize()).isEqualTo(2);
    } finally {
      pool.shutdownNow();
    }
  }
}
