package dev.nsjunit.internal.run;

import dev.nsjunit.FreshPid;
import dev.nsjunit.testing.SandboxKit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A sandbox ends even when every worker of the common ForkJoin pool is busy (a test run from that
 * pool, as DebugTest's is). On JDK 25 the launcher's exit, seen through {@code Process.onExit()},
 * never arrived then; JDK 17 on two cores runs such async actions on a thread of their own, so this
 * only fails there on machines with more cores.
 */
class BusyCommonPoolTest {

  @Test
  @Timeout(
      value = 3,
      unit = TimeUnit.MINUTES) // a liveness bound: before the fix this never returned
  void aSandboxEndsWhileTheCommonPoolIsFullyBusy() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch busy = new CountDownLatch(ForkJoinPool.getCommonPoolParallelism());
    List<CompletableFuture<Void>> blockers = new ArrayList<>();
    for (int i = 0; i < ForkJoinPool.getCommonPoolParallelism(); i++) {
      blockers.add(
          CompletableFuture.runAsync(
              () -> {
                busy.countDown();
                try {
                  release.await(); // not a managed block: the pool adds no worker for it
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }));
    }
    try {
      busy.await();
      SandboxKit.run(Cases.class).assertAllPassed(1);
    } finally {
      release.countDown();
      CompletableFuture.allOf(blockers.toArray(new CompletableFuture[0])).join();
    }
  }

  static class Cases {
    @org.junit.jupiter.api.Test
    @FreshPid
    void ends() {
      org.assertj.core.api.Assertions.assertThat(ProcessHandle.current().pid()).isEqualTo(2L);
    }
  }
}
