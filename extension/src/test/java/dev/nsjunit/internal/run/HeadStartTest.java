package dev.nsjunit.internal.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import dev.nsjunit.FreshPid;
import dev.nsjunit.IsolatedNetns;
import dev.nsjunit.internal.cleanup.LeakAudit;
import dev.nsjunit.internal.namespaces.PrivilegeProbe;
import dev.nsjunit.internal.spec.Configuration;
import dev.nsjunit.testing.HostProcesses;
import dev.nsjunit.testing.TestJvm;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

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

  static class TwoShapes {
    @Test
    @FreshPid
    void pid() {}

    @Test
    @IsolatedNetns
    void net() {}
  }

  @Test
  void theFirstSandboxIsKnownForOneMethodOrOneClassOfOneShape() {
    Configuration config = Configuration.from(key -> Optional.empty());
    Optional<SandboxRun.Shape> ofMethod =
        HeadStart.firstShape(List.of(selectMethod(TwoShapes.class, "net")), config);
    assertThat(ofMethod).isPresent();
    assertThat(ofMethod.get().spec())
        .isEqualTo(
            HeadStart.firstShape(List.of(selectClass(OneIsolatedMethod.class)), config)
                .get()
                .spec());
    assertThat(ofMethod.get().testClass()).isEqualTo(TwoShapes.class);
    assertThat(HeadStart.firstShape(List.of(selectClass(IsolatedClass.class)), config)).isPresent();
    assertThat(HeadStart.firstShape(List.of(selectClass(TwoShapes.class)), config))
        .as("two shapes: which comes first is the test plan's to say")
        .isEmpty();
    assertThat(
            HeadStart.firstShape(
                List.of(selectMethod(TwoShapes.class, "net"), selectMethod(TwoShapes.class, "pid")),
                config))
        .as("more than one selector")
        .isEmpty();
    assertThat(HeadStart.firstShape(List.of(selectClass(PlainOnly.class)), config)).isEmpty();
    Configuration noPrestart =
        Configuration.from(
            key -> key.equals("nsjunit.prestart") ? Optional.of("0") : Optional.empty());
    assertThat(HeadStart.firstShape(List.of(selectMethod(TwoShapes.class, "net")), noPrestart))
        .as("nsjunit.prestart=0")
        .isEmpty();
  }

  /** One isolated test to select; the other is excluded by its tag. */
  public static class Single {
    @Test
    @FreshPid
    void isolated() {}

    @Test
    @FreshPid
    @Tag("excluded")
    void excluded() {}
  }

  /**
   * A test JVM that discovers (and, but for "discover", runs) one method of {@link Single} and
   * prints what {@link WaitingSandboxes} did: {@code counts <waiting> <started ahead> <taken>
   * <discarded>}.
   */
  public static final class Observer {
    public static void main(String[] args) throws Exception {
      Launcher launcher = LauncherFactory.create();
      LauncherDiscoveryRequest request =
          LauncherDiscoveryRequestBuilder.request()
              .selectors(selectMethod(Single.class, args[1]))
              .filters(TagFilter.excludeTags("excluded"))
              .build();
      if (args[0].equals("discover")) {
        launcher.discover(request);
        long end = System.currentTimeMillis() + 20_000;
        while (WaitingSandboxes.JVM.counts().startedAhead() == 0
            && System.currentTimeMillis() < end) {
          Thread.sleep(20);
        }
      } else {
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        launcher.execute(request, summary);
        System.out.println("succeeded " + summary.getSummary().getTestsSucceededCount());
      }
      WaitingSandboxes.Counts c = WaitingSandboxes.JVM.counts();
      System.out.println(
          "counts " + c.waiting() + " " + c.startedAhead() + " " + c.taken() + " " + c.discarded());
      System.out.flush();
      System.exit(0);
    }
  }

  private static List<String> observe(String mode, String method) throws Exception {
    Process p = TestJvm.main(Observer.class, List.of(mode, method)).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    // Nothing of that JVM is left: no launcher or child JVM of its run directory, nothing else.
    assertThat(HostProcesses.awaitNoneWithArgument("/run-" + p.pid() + "-", 10_000)).isEmpty();
    assertThat(LeakAudit.scan()).noneMatch(l -> l.ownerPid() == p.pid());
    return out.lines().map(String::strip).toList();
  }

  @Test
  void discoveryAloneStartsTheSelectedTestsSandboxAndTheJvmsExitEndsIt() throws Exception {
    assertThat(observe("discover", "isolated")).contains("counts 1 1 0 0");
  }

  @Test
  void theSelectedTestTakesTheSandboxStartedDuringDiscovery() throws Exception {
    assertThat(observe("run", "isolated")).contains("succeeded 1", "counts 0 1 1 0");
  }

  @Test
  void aSandboxStartedForATestTheFilterExcludesIsDiscarded() throws Exception {
    assertThat(observe("run", "excluded")).contains("succeeded 0", "counts 0 1 0 1");
  }

  private static List<String> run(Class<?> fixture) throws Exception {
    Process p = TestJvm.fixture(fixture, List.of(), "nsjunit.prestart=0").start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return out.lines().map(String::strip).toList();
  }
}
