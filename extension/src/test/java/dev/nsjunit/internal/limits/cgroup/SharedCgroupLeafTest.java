package dev.nsjunit.internal.limits.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The leaf placement's moves and its undo, for real on this machine's controller-less cgroup2 tree:
 * a group of this test's own stands in for a cgroup shared by Maven and its forks, with processes
 * this test started in it. (With controllers, the kernel's no-internal-processes rule that makes
 * the move necessary is verified in the cgroup v2 guest: .ci/guest/run-all.)
 */
class SharedCgroupLeafTest {
  private final Sandboxes sandboxes = new Sandboxes();
  private Path shared;

  @BeforeEach
  void sharedGroupBelowThisJvmsCgroup() throws Exception {
    Path own =
        CgroupLayout.parse(
                Files.readString(Path.of("/proc/self/mountinfo")),
                Files.readString(Path.of("/proc/self/cgroup")),
                Path.of("/"))
            .unified()
            .orElseThrow(() -> new AssertionError("no cgroup2 hierarchy on this machine"))
            .ownGroup();
    shared = own.resolve(CgroupNames.forThisJvm(7000 + (int) (System.nanoTime() & 0xfff)));
    Files.createDirectory(shared);
  }

  @AfterEach
  void removeEverything() throws Exception {
    sandboxes.destroyAll();
    GroupRemoval.awaitEmpty(List.of(shared), System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
    GroupRemoval.removeTree(shared);
  }

  private Process startIn(Path group, String... command) throws Exception {
    Process p = sandboxes.start(command);
    Files.writeString(group.resolve("cgroup.procs"), Long.toString(p.pid()));
    return p;
  }

  private static Set<Long> procs(Path group) throws CgroupException {
    return Set.copyOf(ControlFiles.procs(group));
  }

  @Test
  void everyProcessMovesIntoTheLeafAndBackWhenRestored() throws Exception {
    Process a = startIn(shared, "sleep", "60");
    Process b = startIn(shared, "sleep", "61");
    SharedCgroupLeaf leaf = new SharedCgroupLeaf(shared, Path.of("/"));

    SharedCgroupLeaf.Moved moved = leaf.prepare(Set.of());

    assertThat(procs(shared)).isEmpty();
    assertThat(procs(leaf.leaf())).containsExactlyInAnyOrder(a.pid(), b.pid());
    assertThat(moved.processes())
        .containsExactlyInAnyOrder(a.pid() + " (sleep)", b.pid() + " (sleep)");

    assertThat(leaf.restore()).isTrue();

    assertThat(procs(shared)).containsExactlyInAnyOrder(a.pid(), b.pid());
    assertThat(leaf.leaf()).doesNotExist();
    assertThat(a.isAlive() && b.isAlive()).as("moving never harms a process").isTrue();
  }

  @Test
  void childrenForkedDuringTheMoveAreMovedToo() throws Exception {
    startIn(shared, "sh", "-c", "while :; do sleep 0.01 & wait; done");
    SharedCgroupLeaf leaf = new SharedCgroupLeaf(shared, Path.of("/"));

    leaf.prepare(Set.of());

    assertThat(procs(shared))
        .as("nothing left beside the leaf, however fast the shell forks")
        .isEmpty();
    assertThat(procs(leaf.leaf())).isNotEmpty();
  }

  @Test
  void restoreWaitsWhileAnotherJvmStillHasATestGroupThere() throws Exception {
    Process a = startIn(shared, "sleep", "60");
    SharedCgroupLeaf leaf = new SharedCgroupLeaf(shared, Path.of("/"));
    leaf.prepare(Set.of());
    Path otherJvmsTestGroup = Files.createDirectory(shared.resolve("nsjunit-1-2-3"));

    assertThat(leaf.restore()).isFalse();
    assertThat(procs(leaf.leaf())).containsExactly(a.pid());

    Files.delete(otherJvmsTestGroup);
    assertThat(leaf.restore()).isTrue();
    assertThat(procs(shared)).containsExactly(a.pid());
  }

  @Test
  void theLockIsExclusiveAcrossOpenDescriptors() throws Exception {
    SharedCgroupLeaf leaf = new SharedCgroupLeaf(shared, Path.of("/"));
    AtomicBoolean released = new AtomicBoolean();
    CompletableFuture<Boolean> second;
    try (DirectoryLock first = leaf.lock()) {
      second =
          CompletableFuture.supplyAsync(
              () -> {
                try (DirectoryLock lock = leaf.lock()) {
                  return released
                      .get(); // true only if this acquisition waited for the first to end
                } catch (CgroupException e) {
                  throw new IllegalStateException(e);
                }
              });
      awaitBlockedFlock();
      released.set(true);
    }
    assertThat(second.get(10, TimeUnit.SECONDS)).isTrue();
  }

  /** Until /proc/locks shows a waiter ("->") for an flock of this process. */
  private static void awaitBlockedFlock() throws Exception {
    String pid = Long.toString(ProcessHandle.current().pid());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      List<String> waiting =
          Files.readAllLines(Path.of("/proc/locks")).stream()
              .filter(
                  l ->
                      l.contains("->")
                          && l.contains("FLOCK")
                          && List.of(l.trim().split("\\s+")).contains(pid))
              .collect(Collectors.toList());
      if (!waiting.isEmpty()) {
        return;
      }
      Thread.onSpinWait();
    }
    throw new AssertionError(
        "the second lock() never waited for the first: /proc/locks has no waiter of pid " + pid);
  }
}
