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

  public static void main(String[] args) throws Exception {
    // Run one real test the way OneTestRun does (Jupiter only), so the archive holds the
    // execution path too (descriptors, extension registry, interceptor chain, listeners).
    String uniqueId = "[engine:junit-jupiter]/[class:" + Probe.class.getName() + "]/[method:probe()]";
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectUniqueId(uniqueId)).build();
    try {
      LauncherFactory.create(OneTestRun.launcherConfig(uniqueId)).execute(request, new org.junit.platform.launcher.TestExecutionListener() { });
      // And the child's own path on the channel (encoding a result frame).
      dev.nsjunit.internal.channel.FrameCodec.write(java.io.OutputStream.nullOutputStream(),
          new dev.nsjunit.internal.channel.Message.Result(dev.nsjunit.internal.channel.Message.Status.FAILED,
              dev.nsjunit.internal.channel.ThrowableData.of(new IllegalStateException("warm-up")), null));
    } catch (NoClassDefFoundError nsjunitIsADirectory) {
      // nsjunit's classes come from a directory (its own build): only JUnit's are archived.
      LauncherFactory.create().execute(request);
    }
  }

  /** The test the warm-up runs. */
  public static final class Probe {
    @org.junit.jupiter.api.Test
    void probe() {
      org.junit.jupiter.api.Assertions.assertTrue(true);
    }
  }
}
