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
 * into a leaf (under Maven, Surefire's fork shares its cgroup with Maven). Arguments: fully
 * qualified class names, or {@code Class#method}. Exit code 0 when every test passed or was skipped.
 */
public final class SuiteMain {
  private SuiteMain() {}

  public static void main(String[] args) {
    List<DiscoverySelector> selectors = new ArrayList<>();
    for (String name : args) {
      // "a.b.C" for a class, "a.b.C#method" for one method of it
      selectors.add(name.contains("#") ? selectMethod(name) : selectClass(name));
    }
    SummaryGeneratingListener summary = new SummaryGeneratingListener();
    TestExecutionListener progress = new TestExecutionListener() {
      @Override
      public void executionSkipped(TestIdentifier test, String reason) {
        System.out.println("SKIPPED " + test.getDisplayName() + ": " + reason);
      }

      @Override
      public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (test.isTest()) {
          System.out.println(result.getStatus() + " " + test.getLegacyReportingName()
              + result.getThrowable().map(t -> ": " + t.toString().replace('\n', ' ')).orElse(""));
        }
      }
    };
    LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectors).build(), summary, progress);
    summary.getSummary().printFailuresTo(new PrintWriter(System.out, true), 40);
    long failed = summary.getSummary().getTotalFailureCount();
    System.out.println("cgroup v2 guest: " + summary.getSummary().getTestsSucceededCount() + " succeeded, "
        + failed + " failed, " + summary.getSummary().getTestsSkippedCount() + " skipped, "
        + summary.getSummary().getTestsAbortedCount() + " aborted");
    System.exit(failed == 0 ? 0 : 1);
  }
}
