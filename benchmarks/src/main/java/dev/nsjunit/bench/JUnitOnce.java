package dev.nsjunit.bench;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * The JVM + JUnit floor: a fresh JVM that runs one test method through junit-platform-launcher,
 * what nsjunit's child does minus the sandbox and the channel. Exits 1 unless exactly one test
 * passed.
 */
public final class JUnitOnce {
  private JUnitOnce() {}

  public static void main(String[] args) {
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    LauncherFactory.create()
        .execute(
            LauncherDiscoveryRequestBuilder.request().selectors(selectMethod(args[0])).build(),
            listener);
    boolean ok =
        listener.getSummary().getTestsSucceededCount() == 1
            && listener.getSummary().getTotalFailureCount() == 0;
    System.exit(ok ? 0 : 1);
  }
}
