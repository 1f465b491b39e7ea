package dev.nsjunit.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Not a sample: the proof that every sample needs its annotation. A sample that passes without
 * isolation shows a reader nothing, so each one is run here once with its annotations' effect taken
 * away, and must fail, for the reason its annotation exists.
 *
 * <p>How the effect is taken away: in a sandbox's child JVM, nsjunit's extension runs a test in
 * place (the system property {@code nsjunit.sandboxed} tells it where it is). {@link RunInPlace}
 * sets that property in a JVM of its own on this machine and runs a sample class there: the same
 * test code, the same JUnit, but no namespace, no cgroup, no rlimit, no tmpfs and no network lab,
 * exactly as if the annotations were deleted. One JVM runs every sample class; it ends whatever
 * they left running (the forgotten server, the fork bomb's processes) before it exits.
 */
class SamplesWithoutIsolationTest {

  static Stream<Arguments> samples() {
    return Stream.of(
        // sample, the test that must fail without isolation, what its failure must say
        Arguments.of("FreshPidSample", "seesOnlyItsOwnProcesses()", "nsjunit-launch"),
        Arguments.of("FreshPidSample", "theForgottenServerDiedWithItsTest()", "sleep 3600."),
        Arguments.of(
            "IsolatedIpcSample",
            "theSandboxStartsWithEmptyIpcTables()",
            "Expected size: 1 but was: 2"),
        Arguments.of(
            "IsolatedNetnsSample",
            "bindsTheSamePortWithoutClashing()",
            "java.net.BindException: Address already in use"),
        Arguments.of("IsolatedNetnsSample", "onlyLoopbackExists()", "\"lo\""),
        Arguments.of("HostnameSample", "nodeIdComesFromTheHostname()", "expected: \"3\""),
        Arguments.of(
            "ClockOffsetSample",
            "afterThirtyDaysTheIntCounterHasWrappedButTheLongHasNot()",
            "to be greater than"),
        Arguments.of("SandboxSample", "everythingIsolatedAtOnce()", "expected: 2"),
        Arguments.of("SandboxSample", "areIsolated()", "expected: 2"),
        Arguments.of(
            "limits.ForkBombSample",
            "runawayProcessCreationIsStopped()",
            "Expecting code to raise a throwable"),
        Arguments.of(
            "limits.TooManyOpenFilesSample",
            "leakingStreamsRunOutOfDescriptors()",
            "Expecting code to raise a throwable"),
        Arguments.of(
            "limits.FullDiskSample", "writerSeesNoSpaceLeftOnDevice()", "/var/lib/myapp/journal"),
        Arguments.of(
            "limits.OffHeapOomKillSample",
            "nativeLeakIsKilledByTheKernel()",
            "still alive: no memory limit?"),
        Arguments.of("limits.ThreadPoolSizingSample", "poolIsSizedForOneCpu()", "expected: 1"),
        Arguments.of(
            "network.LeaderFollowerSplitSample",
            "followerSeesTheLeaderGoAndComeBack(Network)",
            "needs a @Topology"),
        Arguments.of(
            "network.RetryUnderPartitionSample",
            "retriesUntilServerAnswers(Network)",
            "needs a @Topology"),
        Arguments.of(
            "network.SlowLinkMissingTimeoutSample",
            "requestTimeoutDoesNotBoundTheDownloadButADeadlineDoes(Network)",
            "needs a @Topology"));
  }

  /** "sample test" to "STATUS exception", for every test of every sample: one JVM runs them all. */
  private static Map<String, String> results;

  @ParameterizedTest(name = "{0}.{1} fails without isolation")
  @org.junit.jupiter.params.provider.MethodSource("samples")
  void failsWithoutItsAnnotation(String sample, String test, String reason) throws Exception {
    if (sample.equals("ClockOffsetSample")) {
      // Without the offset the clock is this machine's: the bug shows only after 24.8 days of
      // uptime.
      assumeTrue(
          System.nanoTime() < TimeUnit.DAYS.toNanos(24),
          "this machine has been up for more than 24 days");
    }
    if (sample.endsWith("ThreadPoolSizingSample")) {
      assumeTrue(
          Runtime.getRuntime().availableProcessors() > 1,
          "on a one-CPU machine the limit changes nothing");
    }
    if (results == null) {
      // Without its tmpfs, FullDiskSample writes where its tmpfs would be: only where nothing is.
      assertThat(Path.of("/var/lib/myapp"))
          .as("FullDiskSample's directory on this machine")
          .doesNotExist();
      results =
          runInPlace(samples().map(a -> "dev.nsjunit.samples." + a.get()[0]).distinct().toList());
    }
    String key = "dev.nsjunit.samples." + sample + " " + test;
    assertThat(results).as("tests run without isolation").containsKey(key);
    assertThat(results.get(key)).as(key).startsWith("FAILED ").contains(reason);
  }

  /**
   * Runs the classes in a JVM of their own, in place; returns "STATUS exception" per "class test".
   */
  private static Map<String, String> runInPlace(List<String> classNames) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dnsjunit.sandboxed=true",
                "-cp",
                System.getProperty("java.class.path"),
                RunInPlace.class.getName()));
    command.addAll(classNames);
    Process jvm = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output;
    try {
      output = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(jvm.waitFor(300, TimeUnit.SECONDS))
          .as("the JVM running the samples in place")
          .isTrue();
    } finally {
      jvm.descendants().forEach(ProcessHandle::destroyForcibly);
      jvm.destroyForcibly();
    }
    Map<String, String> found = new LinkedHashMap<>();
    output
        .lines()
        .filter(l -> l.startsWith(RunInPlace.PREFIX))
        .map(l -> l.substring(RunInPlace.PREFIX.length()))
        .forEach(
            l -> {
              String[] parts = l.split(" ", 4); // class, test, status, exception
              found.put(
                  parts[0] + " " + parts[1], parts[2] + " " + (parts.length > 3 ? parts[3] : ""));
            });
    assertThat(found).as("the JVM running the samples in place printed:\n" + output).isNotEmpty();
    return found;
  }

  /** The JVM of its own: runs one sample class and prints each test's outcome on one line. */
  public static final class RunInPlace {
    static final String PREFIX = "in place: ";

    public static void main(String[] args) throws Exception {
      if (!"true".equals(System.getProperty("nsjunit.sandboxed"))) {
        throw new IllegalStateException(
            "run with -Dnsjunit.sandboxed=true, or the samples run in their sandboxes");
      }
      TestExecutionListener listener =
          new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
              id.getSource()
                  .filter(source -> id.isTest() && source instanceof MethodSource)
                  .map(MethodSource.class::cast)
                  .ifPresent(
                      method -> {
                        String failure =
                            result
                                .getThrowable()
                                .map(t -> t.getClass().getName() + ": " + t.getMessage())
                                .orElse("");
                        String sample =
                            method
                                .getClassName()
                                .replaceFirst(
                                    "\\$.*", ""); // a nested class's tests count as its sample's
                        System.out.println(
                            PREFIX
                                + sample
                                + " "
                                + id.getDisplayName()
                                + " "
                                + result.getStatus()
                                + " "
                                + failure.replace('\n', ' '));
                      });
            }
          };
      LauncherFactory.create()
          .execute(
              LauncherDiscoveryRequestBuilder.request()
                  .selectors(Arrays.stream(args).map(DiscoverySelectors::selectClass).toList())
                  .build(),
              listener);
      // What the samples left running (no sandbox ends it here): processes this JVM started.
      ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
      System.exit(0);
    }
  }
}
