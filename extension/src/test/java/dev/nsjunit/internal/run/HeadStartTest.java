package dev.nsjunit.internal.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import dev.nsjunit.FreshPid;
import dev.nsjunit.IsolatedNetns;
import dev.nsjunit.internal.namespaces.PrivilegeProbe;
import dev.nsjunit.testing.TestJvm;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.platform.engine.DiscoverySelector;

/**
 * A test JVM's once-only work for its first sandbox (the privilege check and what comes with it)
 * runs while JUnit discovers the tests when the request selects an isolated test, and not at all
 * for a run without one.
 */
class HeadStartTest {

  static class PlainOnly {
    @Test
    void plain() {}
  }

  static class OneIsolatedMethod {
    @Test
    void plain() {}

    @Test
    @IsolatedNetns
    void isolated() {}
  }

  @FreshPid
  static class IsolatedClass {
    @Test
    void isolated() {}

    @Nested
    class Inner {
      @Test
      void alsoIsolated() {}
    }
  }

  static class Subclass extends OneIsolatedMethod {}

  @Test
  void classesAndMethodsWithAnIsolatedTestAreRecognizedAndOthersAreNot() {
    assertThat(selects(selectClass(OneIsolatedMethod.class))).isTrue();
    assertThat(selects(selectClass(IsolatedClass.class))).isTrue();
    assertThat(selects(selectNestedClass(List.of(IsolatedClass.class), IsolatedClass.Inner.class)))
        .isTrue();
    assertThat(selects(selectClass(Subclass.class))).as("an inherited test method").isTrue();
    assertThat(selects(selectMethod(OneIsolatedMethod.class, "plain")))
        .as("a method of a class with an isolated test: the class's JVM will likely need it")
        .isTrue();
    assertThat(selects(selectClass(PlainOnly.class))).isFalse();
    assertThat(selects(selectPackage("dev.nsjunit"))).as("a scan is not looked into").isFalse();
    assertThat(selects(selectClass("dev.nsjunit.NoSuchClass")))
        .as("a class that cannot be loaded is left to discovery")
        .isFalse();
  }

  private static boolean selects(DiscoverySelector selector) {
    return HeadStart.selectsIsolatedTest(List.of(selector));
  }

  /**
   * Run in a JVM of its own with sandboxes started only with their tests (nsjunit.prestart=0), so
   * that nothing but the head start checks privileges before the first isolated test. Its first,
   * ordinary test runs in the test JVM and says whether the check was done (or under way) by then.
   */
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class Observed {
    @Test
    @Order(1)
    void checkedBeforeTheFirstIsolatedTest() throws InterruptedException {
      report();
    }

    @Test
    @Order(2)
    @FreshPid
    void isolated() {}

    static void report() throws InterruptedException {
      Optional<Thread> headStart =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> t.getName().equals("nsjunit-head-start"))
              .findFirst();
      if (headStart.isPresent()) {
        headStart.get().join(30_000);
      }
      System.out.println("checked " + PrivilegeProbe.checked("auto"));
    }
  }

  /** The same observation in a run of ordinary tests only. */
  static class ObservedPlain {
    @Test
    void plain() throws InterruptedException {
      Observed.report();
    }
  }

  @Test
  void aRunWithAnIsolatedTestChecksPrivilegesWhileItsTestsAreDiscovered() throws Exception {
    assertThat(run(Observed.class))
        .contains("checked true")
        .contains("test checkedBeforeTheFirstIsolatedTest() SUCCESSFUL")
        .contains("test isolated() SUCCESSFUL");
  }

  @Test
  void aRunWithoutIsolatedTestsStartsNothing() throws Exception {
    assertThat(run(ObservedPlain.class))
        .contains("checked false")
        .contains("test plain() SUCCESSFUL");
  }

  private static List<String> run(Class<?> fixture) throws Exception {
    Process p = TestJvm.fixture(fixture, List.of(), "nsjunit.prestart=0").start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return out.lines().map(String::strip).toList();
  }
}
