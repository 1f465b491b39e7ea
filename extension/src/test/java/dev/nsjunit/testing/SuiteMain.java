package dev.nsjunit.testing;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * Runs test classes without Maven, for the cgroup v2 VM (.ci/cgroup2-vm-tests): there the JVM must
 * be the only process in its cgroup, which is the situation in which the v2 driver moves itself
 * into a leaf (under Maven, Surefire's fork shares its cgroup with Maven). Arguments: an optional
 * {@code --expect N} (the number of tests that must run), then fully qualified class names, or
 * {@code Class#method}.
 *
 * <p>Exit code 0 only when every test succeeded and, with {@code --expect}, exactly N ran: a test
 * that was aborted or skipped verified nothing (in the guest, a v2 or netem test aborts exactly
 * when the guest lacks what it exists to provide), and a selector that matched nothing must not
 * pass.
 */
public final class SuiteMain {
  private SuiteMain() {}

  public static void main(String[] args) {
    List<DiscoverySelector> selectors = new ArrayList<>();
    long expected = -1;
    List<String> names = new ArrayList<>(List.of(args));
    if (names.size() >= 2 && names.get(0).equals("--expect")) {
      expected = Long.parseLong(names.get(1));
      names = names.subList(2, names.size());
    }
    for (String name : names) {
      // "a.b.C" for a class, "a.b.C#method" for one method of it
      selectors.add(name.contains("#") ? selectMethod(name) : selectClass(name));
    }
    SummaryGeneratingListener summary = new SummaryGeneratingListener();
    TestExecutionListener progress =
        new TestExecutionListener() {
          @Override
          public void executionSkipped(TestIdentifier test, String reason) {
            System.out.println("SKIPPED " + test.getDisplayName() + ": " + reason);
          }

          @Override
          public void executionFinished(TestIdentifier test, TestExecutionResult result) {
            if (test.isTest()) {
              System.out.println(
                  result.getStatus()
                      + " "
                      + test.getLegacyReportingName()
                      + result
                          .getThrowable()
                          .map(t -> ": " + t.toString().replace('\n', ' '))
                          .orElse(""));
            }
          }
        };
    LauncherFactory.create()
        .execute(
            LauncherDiscoveryRequestBuilder.request().selectors(selectors).build(),
            summary,
            progress);
    summary.getSummary().printFailuresTo(new PrintWriter(System.out, true), 40);
    var counts = summary.getSummary();
    long failed = counts.getTotalFailureCount();
    long notVerified = counts.getTestsSkippedCount() + counts.getTestsAbortedCount();
    long ran =
        counts.getTestsSucceededCount()
            + counts.getTestsFailedCount()
            + counts.getTestsAbortedCount();
    System.out.println(
        "suite: "
            + counts.getTestsSucceededCount()
            + " succeeded, "
            + failed
            + " failed, "
            + counts.getTestsSkippedCount()
            + " skipped, "
            + counts.getTestsAbortedCount()
            + " aborted"
            + (expected >= 0 ? " (" + expected + " expected to run)" : ""));
    boolean countOk = expected < 0 || (ran == expected && counts.getTestsSkippedCount() == 0);
    if (!countOk) {
      System.out.println(
          "suite: FAILED: "
              + ran
              + " tests ran, "
              + expected
              + " were expected (a selector that matches"
              + " nothing, or a test that was skipped, verified nothing)");
    }
    if (notVerified > 0) {
      System.out.println(
          "suite: FAILED: " + notVerified + " test(s) aborted or skipped: they verified nothing");
    }
    System.exit(failed == 0 && notVerified == 0 && countOk ? 0 : 1);
  }
}
