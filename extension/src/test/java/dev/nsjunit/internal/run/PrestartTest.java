package dev.nsjunit.internal.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.nsjunit.FreshPid;
import dev.nsjunit.Hostname;
import dev.nsjunit.Sandbox;
import dev.nsjunit.internal.child.ChildMain;
import dev.nsjunit.testing.HostProcesses;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.TestReporter;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Sandboxes started ahead of their tests (nsjunit.prestart), through a real launcher (the
 * forecasting listener is auto-registered there, not in EngineTestKit): the next tests' child JVMs
 * boot before those tests start, each test still gets a sandbox of its own shape that served no
 * other test, deadlines count from the test's request, and what no test took is removed.
 */
class PrestartTest {

  /** Four trivial isolated tests in a fixed order, each reporting when its child JVM began. */
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class Sequence {
    static int testsInThisJvm;

    @Test
    @Order(1)
    @FreshPid
    void first(TestReporter reporter) {
      report(reporter);
    }

    @Test
    @Order(2)
    @FreshPid
    void second(TestReporter reporter) {
      report(reporter);
    }

    @Test
    @Order(3)
    @FreshPid
    void third(TestReporter reporter) {
      report(reporter);
    }

    @Test
    @Order(4)
    @FreshPid
    void fourth(TestReporter reporter) {
      report(reporter);
    }

    static void report(TestReporter reporter) {
      testsInThisJvm++;
      reporter.publishEntry(
          Map.of(
              "childStarted", System.getProperty(ChildMain.STARTED_NANOS_PROPERTY),
              "testsInThisJvm", Integer.toString(testsInThisJvm),
              "pid", Long.toString(ProcessHandle.current().pid())));
    }
  }

  @Test
  void theNextTestsChildJvmsBootBeforeTheyStartAndServeOneTestEach() {
    Recorded ahead = run(Sequence.class, "2");
    assertThat(ahead.failures).isEmpty();
    assertThat(ahead.order).containsExactly("first()", "second()", "third()", "fourth()");
    for (String test : List.of("first()", "second()", "third()", "fourth()")) {
      assertThat(ahead.entry(test, "testsInThisJvm")).as(test).isEqualTo("1");
      assertThat(Long.parseLong(ahead.entry(test, "pid")))
          .as(test + " runs in a fresh pid namespace (the launcher is its pid 1)")
          .isLessThanOrEqualTo(2);
    }
    for (String test : List.of("second()", "third()", "fourth()")) {
      assertThat(Long.parseLong(ahead.entry(test, "childStarted")))
          .as(test + "'s child JVM began before JUnit started the test")
          .isLessThan(ahead.started.get(test));
    }

    Recorded off = run(Sequence.class, "0");
    assertThat(off.failures).isEmpty();
    for (String test : List.of("first()", "second()", "third()", "fourth()")) {
      assertThat(Long.parseLong(off.entry(test, "childStarted")))
          .as(test + "'s child JVM with nsjunit.prestart=0")
          .isGreaterThan(off.started.get(test));
    }
    assertNothingWaitsOrRuns();
  }

  /** Shapes alternate: a waiting sandbox must go to a test of its own shape only. */
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class MixedShapes {
    @Test
    @Order(1)
    @Hostname("alpha")
    void alpha1() throws Exception {
      assertThat(InetAddress.getLocalHost().getHostName()).isEqualTo("alpha");
    }

    @Test
    @Order(2)
    @Hostname("beta")
    void beta() throws Exception {
      assertThat(InetAddress.getLocalHost().getHostName()).isEqualTo("beta");
    }

    @Test
    @Order(3)
    void inProcess() {
      assertThat(System.getProperty(ChildMain.SANDBOXED_PROPERTY)).isNull();
    }

    @Test
    @Order(4)
    @Hostname("alpha")
    void alpha2() throws Exception {
      assertThat(InetAddress.getLocalHost().getHostName()).isEqualTo("alpha");
    }

    @Test
    @Order(5)
    @FreshPid
    void freshPid() throws Exception {
      assertThat(ProcessHandle.current().pid()).isLessThanOrEqualTo(2);
      assertThat(InetAddress.getLocalHost().getHostName()).isNotIn("alpha", "beta");
    }
  }

  @Test
  void eachTestTakesASandboxOfItsOwnShape() {
    long aheadBefore = WaitingSandboxes.JVM.counts().startedAhead();
    Recorded run = run(MixedShapes.class, "2");
    assertThat(run.failures).isEmpty();
    assertThat(run.order)
        .containsExactly("alpha1()", "beta()", "inProcess()", "alpha2()", "freshPid()");
    assertThat(WaitingSandboxes.JVM.counts().startedAhead() - aheadBefore)
        .as("sandboxes started ahead for beta, alpha2 and the last test")
        .isGreaterThanOrEqualTo(3);
    assertNothingWaitsOrRuns();
  }

  /** The first test runs 4 s, longer than the next one's 3 s deadline, while the next one waits. */
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class LongThenShort {
    @Test
    @Order(1)
    @FreshPid
    void longOne() throws Exception {
      Thread.sleep(4000);
    }

    @Test
    @Order(2)
    @FreshPid
    @Sandbox(timeout = "3s")
    void shortDeadline() {
      assertThat(ProcessHandle.current().pid()).isLessThanOrEqualTo(2);
    }
  }

  @Test
  void aWaitingSandboxsDeadlineStartsWhenItsTestAsks() {
    long takenBefore = WaitingSandboxes.JVM.counts().taken();
    Recorded run = run(LongThenShort.class, "1");
    assertThat(run.failures).isEmpty();
    assertThat(WaitingSandboxes.JVM.counts().taken() - takenBefore)
        .as("shortDeadline ran in the sandbox that waited 4 s (longOne may have taken one too)")
        .isGreaterThanOrEqualTo(1);
    assertNothingWaitsOrRuns();
  }

  /** Its tests never run: the @BeforeAll runs in the parent and fails. */
  static class BeforeAllFails {
    @BeforeAll
    static void fail() {
      throw new IllegalStateException("no database");
    }

    @Test
    @FreshPid
    void a() {}

    @Test
    @FreshPid
    void b() {}
  }

  static class DisabledInTheMiddle {
    @Test
    @FreshPid
    @Disabled("not today")
    void disabled() {}
  }

  @Test
  void sandboxesOfTestsThatNeverRunAreRemovedWithNothingLeft() {
    long discardedBefore = WaitingSandboxes.JVM.counts().discarded();
    Recorded run = run(List.of(BeforeAllFails.class, DisabledInTheMiddle.class), "2");
    assertThat(run.containerFailures).containsExactly("no database");
    assertThat(WaitingSandboxes.JVM.counts().discarded() - discardedBefore)
        .as("a sandbox started for a test that never ran (a(), b(), disabled()) was discarded")
        .isGreaterThanOrEqualTo(1);
    assertNothingWaitsOrRuns();
  }

  private static void assertNothingWaitsOrRuns() {
    assertThat(WaitingSandboxes.JVM.counts().waiting()).as("sandboxes still waiting").isZero();
    // A sandbox's launcher and child JVM name its files (s<N>.status, s<N>.sock); the janitor,
    // started from the same directory, does not.
    String sandboxFiles = RunDirectory.get().path() + "/s";
    assertThat(HostProcesses.withArgument(sandboxFiles))
        .as("processes of this JVM's sandboxes")
        .isEmpty();
  }

  /** What one launcher run saw: order, start times, report entries and failures. */
  static final class Recorded implements TestExecutionListener {
    final List<String> order = Collections.synchronizedList(new ArrayList<>());
    final Map<String, Long> started = new ConcurrentHashMap<>();
    final Map<String, Map<String, String>> entries = new ConcurrentHashMap<>();
    final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    final List<String> containerFailures = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void executionStarted(TestIdentifier id) {
      if (id.isTest()) {
        started.put(name(id), System.nanoTime());
        order.add(name(id));
      }
    }

    @Override
    public void reportingEntryPublished(TestIdentifier id, ReportEntry entry) {
      entries
          .computeIfAbsent(name(id), k -> new ConcurrentHashMap<>())
          .putAll(entry.getKeyValuePairs());
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
      if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
        String message = result.getThrowable().map(Throwable::getMessage).orElse("?");
        (id.isTest() ? failures : containerFailures)
            .add(id.isTest() ? name(id) + ": " + message : message);
      }
    }

    /** "first()" for "first(TestReporter)". */
    private static String name(TestIdentifier id) {
      String display = id.getDisplayName();
      int paren = display.indexOf('(');
      return paren < 0 ? display : display.substring(0, paren) + "()";
    }

    String entry(String test, String key) {
      assertThat(entries).as("report entries of " + test).containsKey(test);
      return entries.get(test).get(key);
    }
  }

  private static Recorded run(Class<?> fixture, String prestart) {
    return run(List.of(fixture), prestart);
  }

  private static Recorded run(List<Class<?>> fixtures, String prestart) {
    Recorded recorded = new Recorded();
    LauncherDiscoveryRequestBuilder request =
        LauncherDiscoveryRequestBuilder.request()
            .selectors(fixtures.stream().map(c -> selectClass(c)).toList())
            .configurationParameter("nsjunit.prestart", prestart);
    LauncherFactory.create().execute(request.build(), recorded);
    return recorded;
  }
}
