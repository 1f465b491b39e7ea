package dev.nsjunit.bench;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * A suite as a build's test fork or an IDE runs it: a fresh test JVM, one {@code Launcher.execute}
 * of one test class, then exit. Arguments: the class, then JUnit configuration parameters as {@code
 * key=value}. Prints one line, {@code suite <execute ns> <tests passed> <tests found> <this
 * process's CPU ns>}, and exits 1 unless every test found passed.
 *
 * <p>The harness's own suite rows run in its warm JVM, after the other sections: there the test
 * JVM's own start (its JIT compiling JUnit's and nsjunit's parent side, their first runs) is paid
 * already. Here it is paid during the suite, on the same cores as the sandboxes.
 */
public final class SuiteOnce {
  private SuiteOnce() {}

  public static void main(String[] args) {
    LauncherDiscoveryRequestBuilder request =
        LauncherDiscoveryRequestBuilder.request().selectors(selectClass(args[0]));
    for (int i = 1; i < args.length; i++) {
      String[] kv = args[i].split("=", 2);
      request.configurationParameter(kv[0], kv[1]);
    }
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    long t0 = System.nanoTime();
    LauncherFactory.create().execute(request.build(), listener);
    long t = System.nanoTime() - t0;
    long passed = listener.getSummary().getTestsSucceededCount();
    long found = listener.getSummary().getTestsFoundCount();
    System.out.println("suite " + t + " " + passed + " " + found + " " + CpuMeter.processNanos());
    System.exit(passed == found && listener.getSummary().getTotalFailureCount() == 0 ? 0 : 1);
  }
}
