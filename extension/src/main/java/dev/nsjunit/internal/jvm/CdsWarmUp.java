package dev.nsjunit.internal.jvm;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectUniqueId;

import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The workload of a class-data-sharing dump: start JUnit the way a sandbox's child does (launcher,
 * the Jupiter engine, an empty discovery and execution), so the archive holds those classes. Runs
 * from a jar of its own (dumps need a classpath of jars) with the test classpath's jars. Its one
 * argument, a private directory, is where the child's channel is rehearsed.
 */
public final class CdsWarmUp {
  private CdsWarmUp() {}

  public static void main(String[] args) throws Exception {
    // Run one real test the way OneTestRun does (Jupiter only), so the archive holds the
    // execution path too (descriptors, extension registry, interceptor chain, listeners).
    String uniqueId =
        "[engine:junit-jupiter]/[class:" + Probe.class.getName() + "]/[method:probe()]";
    LauncherDiscoveryRequest request =
        LauncherDiscoveryRequestBuilder.request().selectors(selectUniqueId(uniqueId)).build();
    // Reflectively: nsjunit's own classes may live in a directory (its own build), which the dump
    // cannot use; a direct reference would fail this class's verification before main runs.
    org.junit.platform.launcher.core.LauncherConfig config;
    try {
      java.lang.reflect.Method m =
          Class.forName("dev.nsjunit.internal.child.OneTestRun")
              .getDeclaredMethod("launcherConfig", String.class);
      m.setAccessible(true);
      config = (org.junit.platform.launcher.core.LauncherConfig) m.invoke(null, uniqueId);
    } catch (ReflectiveOperationException | LinkageError notInAJar) {
      // The same choice without nsjunit's class: Jupiter only (other engines, jqwik say, would
      // start here and write their own files into the working directory).
      org.junit.platform.launcher.core.LauncherConfig.Builder builder =
          org.junit.platform.launcher.core.LauncherConfig.builder()
              .enableTestEngineAutoRegistration(false)
              .enableTestExecutionListenerAutoRegistration(false)
              .enablePostDiscoveryFilterAutoRegistration(false);
      for (org.junit.platform.engine.TestEngine engine :
          java.util.ServiceLoader.load(org.junit.platform.engine.TestEngine.class)) {
        if (engine.getId().equals("junit-jupiter")) {
          builder.addTestEngines(engine);
        }
      }
      config = builder.build();
    }
    LauncherFactory.create(config).execute(request);
    if (args.length == 1) {
      rehearseChannel(java.nio.file.Path.of(args[0]));
    }
  }

  /**
   * The child's own start: connect, hello, run request (ChildMain.rehearseChannel), reflectively
   * for the same reason as above. A failure only leaves those classes out of the archive.
   */
  private static void rehearseChannel(java.nio.file.Path directory) {
    try {
      java.lang.reflect.Method m =
          Class.forName("dev.nsjunit.internal.child.ChildMain")
              .getDeclaredMethod("rehearseChannel", java.nio.file.Path.class);
      m.setAccessible(true);
      m.invoke(null, directory);
    } catch (ReflectiveOperationException | LinkageError notInAJar) {
      // nsjunit's own classes in a directory (its own build): not archivable anyway
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
