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
    // The probe is isolated: in this JVM, as in a child, its extension runs it in place (the
    // property ChildMain.SANDBOXED_PROPERTY, named here by value: no reference to nsjunit's
    // classes).
    System.setProperty("nsjunit.sandboxed", "true");
    // Run one real test the way OneTestRun does (Jupiter only), so the archive holds the
    // execution path too (descriptors, extension registry, interceptor chain, listeners).
    String uniqueId =
        "[engine:junit-jupiter]/[class:" + Probe.class.getName() + "]/[method:probe()]";
    LauncherDiscoveryRequest request =
        LauncherDiscoveryRequestBuilder.request().selectors(selectUniqueId(uniqueId)).build();
    // nsjunit's own choice of engines (OneTestRun.launcherConfig), or the same choice made here.
    org.junit.platform.launcher.core.LauncherConfig config =
        (org.junit.platform.launcher.core.LauncherConfig)
            callNsjunit(
                "dev.nsjunit.internal.child.OneTestRun", "launcherConfig", String.class, uniqueId);
    if (config == null) {
      // Jupiter only, without nsjunit's class (other engines, jqwik say, would start here and
      // write their own files into the working directory).
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
      // The child's own start: connect, hello, run request (ChildMain.rehearseChannel). Without
      // nsjunit's classes in a jar only those classes stay out of the archive.
      callNsjunit(
          "dev.nsjunit.internal.child.ChildMain",
          "rehearseChannel",
          java.nio.file.Path.class,
          java.nio.file.Path.of(args[0]));
    }
  }

  /**
   * Calls a static method of nsjunit's, reflectively: nsjunit's own classes may live in a directory
   * (its own build), which the dump cannot use, and a direct reference would fail this class's
   * verification before main runs. Null when they are not there or the call failed: that only
   * leaves their classes out of the archive.
   */
  private static Object callNsjunit(
      String className, String method, Class<?> parameterType, Object argument) {
    try {
      java.lang.reflect.Method m =
          Class.forName(className).getDeclaredMethod(method, parameterType);
      m.setAccessible(true);
      return m.invoke(null, argument);
    } catch (ReflectiveOperationException | LinkageError notInAJar) {
      return null;
    }
  }

  /**
   * The test the warm-up runs: isolated like the tests it stands for, so the archive and a waiting
   * child's JUnit have the path of a test with nsjunit's extension (its registration, the
   * interceptor chain) behind them, not only a plain test's. Where it runs the extension finds
   * {@code nsjunit.sandboxed} and lets it run in place, as in any child. Without nsjunit's classes
   * (a dump from nsjunit's own build) the annotation is simply absent.
   */
  public static final class Probe {
    @org.junit.jupiter.api.Test
    @dev.nsjunit.FreshPid
    void probe() {
      org.junit.jupiter.api.Assertions.assertTrue(true);
    }
  }
}
