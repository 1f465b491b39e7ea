package dev.nsjunit.internal.child;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectUniqueId;

import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The workload of a class-data-sharing dump: start JUnit the way a sandbox's child does (launcher,
 * the Jupiter engine, an empty discovery and execution), so the archive holds those classes.
 * Runs from a jar of its own (dumps need a classpath of jars) with the test classpath's jars.
 */
public final class CdsWarmUp {
  private CdsWarmUp() {}

  public static void main(String[] args) {
    LauncherDiscoveryRequest request =
        LauncherDiscoveryRequestBuilder.request().selectors(selectUniqueId("[engine:junit-jupiter]")).build();
    LauncherFactory.create().execute(request);
  }
}
