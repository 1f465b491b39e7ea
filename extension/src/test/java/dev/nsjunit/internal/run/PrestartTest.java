package dev.nsjunit.internal.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.nsjunit.CgroupLimit;
import dev.nsjunit.FreshPid;
import dev.nsjunit.HostProcess;
import dev.nsjunit.Hostname;
import dev.nsjunit.Link;
import dev.nsjunit.Network;
import dev.nsjunit.OnHost;
import dev.nsjunit.Sandbox;
import dev.nsjunit.Topology;
import dev.nsjunit.internal.child.ChildMain;
import dev.nsjunit.internal.cleanup.LeakAudit;
import dev.nsjunit.testing.HostProcesses;
import dev.nsjunit.testing.TestJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
              "warmUp", String.valueOf(System.getProperty(ChildMain.WARM_UP_PROPERTY)),
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
    assertThat(ahead.taken).as("tests that took a sandbox started ahead").isGreaterThanOrEqualTo(3);
    assertThat(ahead.entry("second()", "warmUp"))
        .as("a sandbox started ahead without limits warms JUnit up while it waits")
        .isEqualTo("true");
    // The second test's sandbox was started with the plan: its JVM ran long before the test began.
    assertThat(Long.parseLong(ahead.entry("second()", "childStarted")))
        .as("second()'s child JVM began before JUnit started the test")
        .isLessThan(ahead.started.get("second()"));

    Recorded off = run(Sequence.class, "0");
    assertThat(off.failures).isEmpty();
    assertThat(off.taken + off.startedAhead).as("nothing started ahead with prestart=0").isZero();
    assertThat(off.entry("second()", "warmUp")).isEqualTo("null");
    for (String test : List.of("first()", "second()", "third()", "fourth()")) {
      assertThat(Long.parseLong(off.entry(test, "childStarted")))
          .as(test + "'s child JVM with nsjunit.prestart=0")
          .isGreaterThan(off.started.get(test));
    }
    assertNothingWaitsOrRan(ahead);
    assertNothingWaitsOrRan(off);
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

    @Test
    @Order(6)
    @CgroupLimit(pids = 200)
    void limited() throws InterruptedException {
      assertThat(System.getProperty(ChildMain.WARM_UP_PROPERTY))
          .as("a sandbox with a pids limit does not spend it on a warm-up")
          .isNull();
      Thread.sleep(1500); // time for the next two sandboxes to boot (and warm up) ahead
    }

    @Test
    @Order(7)
    @CgroupLimit(memory = "128M")
    void tightMemory() {
      assertThat(System.getProperty(ChildMain.WARM_UP_PROPERTY))
          .as("a memory limit below 256 MiB is the test's to spend")
          .isNull();
    }

    @Test
    @Order(8)
    @CgroupLimit(memory = "256M", cpus = "1")
    void roomyMemory() {
      assertThat(System.getProperty(ChildMain.WARM_UP_PROPERTY))
          .as("a sandbox under a roomy memory limit and a CPU limit warms JUnit up while it waits")
          .isEqualTo("true");
    }
  }

  /** Three isolated tests, for a plan run inside a sandbox. */
  static class Inner {
    @Test
    @FreshPid
    void a() {}

    @Test
    @FreshPid
    void b() {}

    @Test
    @FreshPid
    void c() {}
  }

  /** A test of tests: it runs a plan of isolated tests through a launcher, inside its sandbox. */
  static class TestOfTests {
    @Test
    @FreshPid
    void runsAPlan() {
      org.junit.platform.launcher.listeners.SummaryGeneratingListener summary =
          new org.junit.platform.launcher.listeners.SummaryGeneratingListener();
      LauncherFactory.create()
          .execute(
              LauncherDiscoveryRequestBuilder.request()
                  .selectors(selectClass(Inner.class))
                  .configurationParameter("nsjunit.prestart", "2")
                  .build(),
              summary);
      org.junit.jupiter.api.Assertions.assertEquals(
          "true", System.getProperty(ChildMain.SANDBOXED_PROPERTY), "in a sandbox");
      org.junit.jupiter.api.Assertions.assertEquals(
          3, summary.getSummary().getTestsSucceededCount(), "inner tests passed");
      // Not a count of sandboxes started (one that fails to start in here is not counted): no
      // attempt at all, so no thread to start them.
      org.junit.jupiter.api.Assertions.assertEquals(
          List.of(),
          Thread.getAllStackTraces().keySet().stream()
              .map(Thread::getName)
              .filter(n -> n.startsWith("nsjunit-prestart"))
              .toList(),
          "threads starting sandboxes ahead inside the sandbox");
    }
  }

  @Test
  void aPlanRunInsideASandboxStartsNoSandboxAhead() {
    dev.nsjunit.testing.SandboxKit.runMethod(TestOfTests.class, "runsAPlan").assertAllPassed(1);
  }

  @Test
  void eachTestTakesASandboxOfItsOwnShape() {
    Recorded run = run(MixedShapes.class, "2");
    assertThat(run.failures).isEmpty();
    assertThat(run.order)
        .containsExactly(
            "alpha1()",
            "beta()",
            "inProcess()",
            "alpha2()",
            "freshPid()",
            "limited()",
            "tightMemory()",
            "roomyMemory()");
    assertThat(run.startedAhead)
        .as("sandboxes started ahead for beta, alpha2 and the last two tests")
        .isGreaterThanOrEqualTo(4);
    assertNothingWaitsOrRan(run);
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
    Recorded run = run(LongThenShort.class, "1");
    assertThat(run.failures).isEmpty();
    assertThat(run.taken)
        .as("shortDeadline ran in the sandbox that waited 4 s (longOne may have taken one too)")
        .isGreaterThanOrEqualTo(1);
    assertNothingWaitsOrRan(run);
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
    Recorded run = run(List.of(BeforeAllFails.class, DisabledInTheMiddle.class), "2");
    assertThat(run.containerFailures).containsExactly("no database");
    assertThat(run.discarded)
        .as("a sandbox started for a test that never ran (a(), b(), disabled()) was discarded")
        .isGreaterThanOrEqualTo(1);
    assertNothingWaitsOrRan(run);
  }

  /**
   * Three tests on the two hosts of their class's lab, in order. Each reports the host it runs on,
   * as its hostname and as the lab address found on its own interfaces; the second starts a process
   * on the other host, whose output must be attributed to it.
   */
  @Topology(
      hosts = {"alpha", "beta"},
      links = @Link(between = {"alpha", "beta"}))
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class ClassLab {
    @Test
    @Order(1)
    @OnHost("alpha")
    void onAlpha(Network net, TestReporter reporter) throws Exception {
      reportHost(net, reporter);
    }

    @Test
    @Order(2)
    @OnHost("beta")
    void onBeta(Network net, TestReporter reporter) throws Exception {
      reportHost(net, reporter);
      try (HostProcess echo = net.host("alpha").start("/bin/echo", "echoed-on-alpha")) {
        assertThat(echo.waitFor(Duration.ofSeconds(30))).isZero();
      }
    }

    @Test
    @Order(3)
    @OnHost("alpha")
    void onAlphaAgain(Network net, TestReporter reporter) throws Exception {
      reportHost(net, reporter);
    }

    static void reportHost(Network net, TestReporter reporter) throws Exception {
      Sequence.report(reporter);
      InetAddress own = net.address(net.self());
      reporter.publishEntry(
          Map.of(
              "hostname", InetAddress.getLocalHost().getHostName(),
              "ownAddressIsMine",
                  Boolean.toString(NetworkInterface.getByInetAddress(own) != null)));
    }
  }

  /** Its lab's tests are known after discovery, but never run. */
  @Topology(hosts = {"gamma"})
  @Disabled("no lab today")
  static class ClassLabDisabled {
    @Test
    void a() {}

    @Test
    void b() {}
  }

  @Test
  void theHostsOfAClassLabWaitInItAndServeTheirOwnHostsTests() {
    Recorded run = run(ClassLab.class, "2");
    assertThat(run.failures).isEmpty();
    assertThat(run.order).containsExactly("onAlpha()", "onBeta()", "onAlphaAgain()");
    for (String test : List.of("onAlpha()", "onBeta()", "onAlphaAgain()")) {
      String host = test.startsWith("onBeta") ? "beta" : "alpha";
      assertThat(run.entry(test, "hostname")).as(test).isEqualTo(host);
      assertThat(run.entry(test, "ownAddressIsMine"))
          .as(test + " is in the network namespace of its host: the host's address is its own")
          .isEqualTo("true");
      assertThat(run.entry(test, "testsInThisJvm")).as(test).isEqualTo("1");
    }
    assertThat(run.taken)
        .as("tests of the class that took a sandbox started ahead in its lab")
        .isGreaterThanOrEqualTo(2);
    assertThat(Long.parseLong(run.entry("onBeta()", "childStarted")))
        .as("onBeta()'s child JVM began before JUnit started the test")
        .isLessThan(run.started.get("onBeta()"));
    assertThat(run.output)
        .as("a host process of the test in a sandbox started ahead: its output is the test's")
        .contains("[alpha/1] echoed-on-alpha");
    assertNothingWaitsOrRan(run);
    assertThat(run.leftovers).as("left behind by the fixture JVM (labs included)").isEmpty();
  }

  @Test
  void aLabBuiltAheadForTestsThatNeverRunIsRemovedWithNothingLeft() {
    Recorded run = run(List.of(ClassLabDisabled.class, ClassLab.class), "3");
    assertThat(run.failures).isEmpty();
    assertThat(run.order).containsExactly("onAlpha()", "onBeta()", "onAlphaAgain()");
    assertThat(run.startedAhead)
        .as("sandboxes started ahead: gamma's (never taken) and ClassLab's")
        .isGreaterThanOrEqualTo(2);
    assertThat(run.discarded).as("gamma's sandboxes were discarded").isGreaterThanOrEqualTo(1);
    assertNothingWaitsOrRan(run);
    assertThat(run.leftovers).as("left behind by the fixture JVM (labs included)").isEmpty();
  }

  /**
   * Runs the fixtures through a launcher in a JVM of their own ({@link Main}), so the test plan
   * that runs this class (Surefire's, with sandboxes of its own waiting) does not mix in.
   */
  private static Recorded run(Class<?> fixture, String prestart) {
    return run(List.of(fixture), prestart);
  }

  private static Recorded run(List<Class<?>> fixtures, String prestart) {
    List<String> args = new ArrayList<>(List.of(prestart));
    fixtures.forEach(f -> args.add(f.getName()));
    try {
      Process p = TestJvm.main(Main.class, args).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the fixture JVM ended").isTrue();
      assertThat(p.exitValue()).as("the fixture JVM's exit code; its output:\n" + out).isZero();
      return Recorded.parse(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void assertNothingWaitsOrRan(Recorded run) {
    assertThat(run.waitingAfter).as("sandboxes still waiting when the plan ended").isZero();
    assertThat(run.processesAfter)
        .as("processes of the fixture JVM's sandboxes when the plan ended")
        .isEmpty();
  }

  /** What one fixture JVM saw, parsed from its output lines. */
  static final class Recorded {
    final List<String> order = new ArrayList<>();
    final Map<String, Long> started = new HashMap<>();
    final Map<String, Map<String, String>> entries = new HashMap<>();
    final List<String> failures = new ArrayList<>();
    final List<String> containerFailures = new ArrayList<>();
    long waitingAfter = -1;
    long startedAhead;
    long taken;
    long discarded;
    List<String> processesAfter = List.of();
    List<String> leftovers = new ArrayList<>();
    String output = "";

    static Recorded parse(String out) {
      Recorded r = new Recorded();
      r.output = out;
      for (String line : out.split("\n")) {
        String[] w = line.split(" ", 3);
        switch (w[0]) {
          case "started" -> {
            r.order.add(w[1]);
            r.started.put(w[1], Long.parseLong(w[2]));
          }
          case "entry" -> {
            String[] kv = w[2].split("=", 2);
            r.entries.computeIfAbsent(w[1], k -> new HashMap<>()).put(kv[0], kv[1]);
          }
          case "failed" -> r.failures.add(w[1] + ": " + (w.length > 2 ? w[2] : ""));
          case "containerFailed" -> r.containerFailures.add(line.substring(w[0].length() + 1));
          case "counts" -> {
            String[] c = w[1].split(",");
            r.waitingAfter = Long.parseLong(c[0]);
            r.startedAhead = Long.parseLong(c[1]);
            r.taken = Long.parseLong(c[2]);
            r.discarded = Long.parseLong(c[3]);
          }
          case "leftover" -> r.leftovers.add(line.substring(w[0].length() + 1));
          case "processes" ->
              r.processesAfter = w.length > 1 && !w[1].isEmpty() ? List.of(w[1]) : List.of();
          default -> {
            // the fixtures' own output
          }
        }
      }
      assertThat(r.waitingAfter).as("the fixture JVM reported its counts:\n" + out).isNotNegative();
      return r;
    }

    String entry(String test, String key) {
      assertThat(entries).as("report entries of " + test).containsKey(test);
      return entries.get(test).get(key);
    }
  }

  /**
   * The fixture JVM: runs the classes named in its arguments with {@code nsjunit.prestart} set,
   * prints one line per event, then, once the launcher returned (the plan is over), what still
   * waits and which of its sandboxes' processes still run.
   */
  public static final class Main implements TestExecutionListener {
    public static void main(String[] args) {
      LauncherDiscoveryRequestBuilder request =
          LauncherDiscoveryRequestBuilder.request()
              .configurationParameter("nsjunit.prestart", args[0]);
      for (int i = 1; i < args.length; i++) {
        request.selectors(selectClass(args[i]));
      }
      LauncherFactory.create().execute(request.build(), new Main());
      WaitingSandboxes.Counts counts = WaitingSandboxes.JVM.counts();
      System.out.println(
          "counts "
              + counts.waiting()
              + ","
              + counts.startedAhead()
              + ","
              + counts.taken()
              + ","
              + counts.discarded());
      // A sandbox's launcher and child JVM name its files (s<N>.status, s<N>.sock); the janitor,
      // started from the same directory, does not.
      System.out.println(
          "processes "
              + String.join(
                  ";",
                  HostProcesses.withArgument(RunDirectory.get().path() + "/s").stream()
                      .map(String::valueOf)
                      .toList()));
      // What LeakAudit finds of this JVM: processes (a lab's holders too), cgroups, devices.
      for (LeakAudit.Leftover l : LeakAudit.scan()) {
        if (l.ownerPid() == ProcessHandle.current().pid() && !l.kind().equals("run directory")) {
          System.out.println("leftover " + l);
        }
      }
      System.out.flush();
      System.exit(0);
    }

    @Override
    public synchronized void executionStarted(TestIdentifier id) {
      if (id.isTest()) {
        System.out.println("started " + name(id) + " " + System.nanoTime());
      }
    }

    @Override
    public synchronized void reportingEntryPublished(TestIdentifier id, ReportEntry entry) {
      entry
          .getKeyValuePairs()
          .forEach((k, v) -> System.out.println("entry " + name(id) + " " + k + "=" + v));
    }

    @Override
    public synchronized void executionFinished(TestIdentifier id, TestExecutionResult result) {
      if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
        String message =
            result.getThrowable().map(Throwable::getMessage).orElse("?").replace('\n', ' ');
        System.out.println(
            (id.isTest() ? "failed " + name(id) : "containerFailed") + " " + message);
      }
    }

    /** "first()" for "first(TestReporter)". */
    private static String name(TestIdentifier id) {
      String display = id.getDisplayName();
      int paren = display.indexOf('(');
      return paren < 0 ? display : display.substring(0, paren) + "()";
    }
  }
}
