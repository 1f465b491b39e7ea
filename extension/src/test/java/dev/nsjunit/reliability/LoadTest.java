package dev.nsjunit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.CgroupLimit;
import dev.nsjunit.FreshPid;
import dev.nsjunit.IsolatedNetns;
import dev.nsjunit.testing.SandboxKit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.Event;

/**
 * 200 isolated tests (half with limits, a quarter with a network namespace) under JUnit's parallel
 * execution on both cores: nothing lost, every result and report entry attributed to the right
 * test, no output crossing over. Size: {@code -Dnsjunit.loadTests=N} (default 200).
 */
class LoadTest {
  static final int COUNT = Integer.getInteger("nsjunit.loadTests", 200);

  @org.junit.jupiter.api.Test
  void twoHundredIsolatedTestsInParallelAreEachAttributedToTheRightTest() {
    SandboxKit.Run run =
        SandboxKit.run(
            Cases.class,
            Map.of(
                "junit.jupiter.execution.parallel.enabled", "true",
                "junit.jupiter.execution.parallel.mode.default", "concurrent",
                "junit.jupiter.execution.parallel.config.strategy", "fixed",
                "junit.jupiter.execution.parallel.config.fixed.parallelism", "2"));
    int perKind = COUNT / 4;
    run.assertAllPassed(perKind * 4);

    // Each test published its own index; the parent must have reported it on that very test.
    Map<String, String> indexByTest = new HashMap<>();
    for (Event e : run.results().allEvents().reportingEntryPublished().list()) {
      Map<String, String> entry = e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs();
      if (entry.containsKey("load.index")) {
        indexByTest.put(e.getTestDescriptor().getDisplayName(), entry.get("load.index"));
      }
    }
    assertThat(indexByTest).hasSize(perKind * 4);
    indexByTest.forEach(
        (display, index) ->
            assertThat(display).as("report entry attribution").endsWith("[" + index + "]"));
    for (int i = 0; i < perKind * 4; i++) {
      assertThat(run.stdout()).contains("load-line-" + i + "-begin load-line-" + i + "-end");
    }
    System.out.println(
        "load: " + (perKind * 4) + " isolated tests in parallel, all attributed correctly");
  }

  static List<Integer> indexes(int kind) {
    int perKind = COUNT / 4;
    return java.util.stream.IntStream.range(kind * perKind, (kind + 1) * perKind).boxed().toList();
  }

  static List<Integer> plain() {
    return indexes(0);
  }

  static List<Integer> limited() {
    return indexes(1);
  }

  static List<Integer> limitedMore() {
    return indexes(2);
  }

  static List<Integer> networked() {
    return indexes(3);
  }

  static void work(int index, TestReporter reporter) {
    reporter.publishEntry("load.index", Integer.toString(index));
    // One write, so a line from another sandbox cannot land in the middle of it.
    System.out.println("load-line-" + index + "-begin load-line-" + index + "-end");
    assertThat(ProcessHandle.current().pid()).isEqualTo(2);
  }

  static class Cases {
    @ParameterizedTest(name = "[{0}]")
    @MethodSource("dev.nsjunit.reliability.LoadTest#plain")
    @FreshPid
    void plain(int index, TestReporter reporter) {
      work(index, reporter);
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("dev.nsjunit.reliability.LoadTest#limited")
    @CgroupLimit(memory = "256M", pids = 200)
    void limited(int index, TestReporter reporter) {
      work(index, reporter);
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("dev.nsjunit.reliability.LoadTest#limitedMore")
    @CgroupLimit(cpus = "1", pids = 200)
    void limitedMore(int index, TestReporter reporter) {
      work(index, reporter);
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("dev.nsjunit.reliability.LoadTest#networked")
    @IsolatedNetns
    void networked(int index, TestReporter reporter) {
      work(index, reporter);
    }
  }
}
