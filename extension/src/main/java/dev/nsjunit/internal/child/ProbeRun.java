package dev.nsjunit.internal.child;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectUniqueId;

import dev.nsjunit.internal.jvm.CdsWarmUp;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * A child started ahead of its test warms up while it waits: one probe test through the same
 * launcher and engine its own test will use, so that test finds JUnit's classes loaded and
 * initialized and its hot code compiled. About two thirds of a trivial test's time in the child is
 * JUnit starting; this moves it before the test asks.
 *
 * <p>Only children without limits do it (a memory or descriptor limit is the test's to spend), and
 * nothing of it is visible to the test: it runs before the child connects, auto-detected extensions
 * are off for it, and a failure is ignored (the test then starts JUnit itself).
 */
final class ProbeRun {
  private ProbeRun() {}

  static void warmUp() {
    String probe =
        "[engine:junit-jupiter]/[class:" + CdsWarmUp.Probe.class.getName() + "]/[method:probe()]";
    try {
      LauncherFactory.create(OneTestRun.launcherConfig(probe))
          .execute(
              LauncherDiscoveryRequestBuilder.request()
                  .selectors(selectUniqueId(probe))
                  .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false")
                  .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
                  .build());
    } catch (Throwable ignored) {
      // a classpath without Jupiter, or anything else: the test's own run starts JUnit as before
    }
  }
}
