package dev.nsjunit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.testing.FixtureMain;
import dev.nsjunit.testing.SandboxKit;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The parent JVM's options as the sandbox sees them, with real JVMs: a parent started with these
 * options runs fixture tests that look at their own JVM from inside a sandbox.
 */
class JvmOptionsTest {

  @Test
  void aParentHeapLargerThanTheMemoryLimitGivesWayToTheLimitAndIsKeptWithoutOne() throws Exception {
    String out = runFixture(HeapCases.class, List.of("-Xmx1g"), Map.of());

    assertThat(out).contains("test limited() SUCCESSFUL").contains("test unlimited() SUCCESSFUL");
  }

  @Test
  void aCollectorChosenInJavaToolOptionsReachesTheChildOnceAndReplacesTheFastStartOne()
      throws Exception {
    // Without care the child would get -XX:+UseSerialGC (fast start) and -XX:+UseParallelGC (the
    // environment) and refuse to start.
    String out =
        runFixture(
            EnvironmentCases.class,
            List.of(),
            Map.of("JAVA_TOOL_OPTIONS", "-XX:+UseParallelGC -Dfrom.tool.options=yes"));

    assertThat(out).contains("test parallelCollectorAndToolProperty() SUCCESSFUL");
  }

  @Test
  void byDefaultTheChildCompilesWithC2AndCollectsWithSerialGcAndFastStartTrueMeansC1Only() {
    SandboxKit.run(DefaultCompiler.class).assertAllPassed(1);
    SandboxKit.run(C1Only.class, Map.of("nsjunit.fastStart", "true")).assertAllPassed(1);
  }

  /**
   * A user's own AOT cache on a JDK 25 child: nsjunit must add no -Xshare option, which that JVM
   * refuses to start with ("Option AOTCache cannot be used at the same time with -Xshare:auto").
   */
  @Test
  void aUsersOwnAotCacheOnAJdk25ChildStarts(@org.junit.jupiter.api.io.TempDir Path dir) {
    Path java25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        java.nio.file.Files.isExecutable(java25), "no JDK 25 at " + java25);
    SandboxKit.run(
            DefaultCompiler.class,
            Map.of(
                "nsjunit.java",
                java25.toString(),
                "nsjunit.cds",
                "false",
                "nsjunit.jvmArgs",
                "-XX:AOTCacheOutput=" + dir.resolve("own.aot")))
        .assertAllPassed(1);
  }

  @Test
  void aUsersOwnCompileThresholdScalingWinsOverTheDefault() {
    SandboxKit.run(
            UserThresholds.class, Map.of("nsjunit.jvmArgs", "-XX:CompileThresholdScaling=1.0"))
        .assertAllPassed(1);
  }

  static class UserThresholds {
    @org.junit.jupiter.api.Test
    @FreshPid
    void theJdksThresholds() {
      assertThat(compileThresholdScaling()).isEqualTo("1.0"); // before the user's: "5.0"
    }
  }

  @Test
  void theChildsHeapStartsSmallUnlessTheUserOrAMemoryLimitSizesIt() throws Exception {
    SandboxKit.run(HeapDefaults.class, Map.of()).assertAllPassed(2);
    SandboxKit.run(UsersOwnHeap.class, Map.of("nsjunit.jvmArgs", "-Xms64m")).assertAllPassed(1);
    // A heap option from the parent (Surefire's argLine) counts as the user's too.
    String out = runFixture(ParentSizedHeap.class, List.of("-XX:MaxHeapFreeRatio=50"), Map.of());
    assertThat(out).contains("test parentsRatioAndNoneOfOurs() SUCCESSFUL");
  }

  static class HeapDefaults {
    @org.junit.jupiter.api.Test
    @FreshPid
    void smallStartFastGrowth() {
      assertThat(vmOption("InitialHeapSize")).isEqualTo(Long.toString(8L << 20));
      assertThat(vmOption("MinHeapFreeRatio")).isEqualTo("70");
      assertThat(vmOption("MaxHeapFreeRatio")).isEqualTo("90");
    }

    @org.junit.jupiter.api.Test
    @CgroupLimit(memory = "64M")
    void underAMemoryLimitTheJvmSizesItsHeapForTheLimit() {
      assertThat(ManagementFactory.getRuntimeMXBean().getInputArguments())
          .noneMatch(o -> o.startsWith("-Xms") || o.contains("HeapFreeRatio"));
      assertThat(vmOption("MinHeapFreeRatio")).isEqualTo("40"); // the JDK's default
    }
  }

  static class UsersOwnHeap {
    @org.junit.jupiter.api.Test
    @FreshPid
    void usersInitialHeapAndTheJdksGrowth() {
      assertThat(vmOption("InitialHeapSize")).isEqualTo(Long.toString(64L << 20));
      assertThat(vmOption("MinHeapFreeRatio")).isEqualTo("40");
      assertThat(vmOption("MaxHeapFreeRatio")).isEqualTo("70");
    }
  }

  static class ParentSizedHeap {
    @org.junit.jupiter.api.Test
    @FreshPid
    void parentsRatioAndNoneOfOurs() {
      // Ours (MinHeapFreeRatio=70) next to the parent's MaxHeapFreeRatio=50 would stop the JVM.
      assertThat(vmOption("MaxHeapFreeRatio")).isEqualTo("50");
      assertThat(vmOption("MinHeapFreeRatio")).isEqualTo("40");
      assertThat(ManagementFactory.getRuntimeMXBean().getInputArguments())
          .noneMatch(o -> o.startsWith("-Xms"));
    }
  }

  private static String vmOption(String name) {
    return ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
        .getVMOption(name)
        .getValue();
  }

  private static String compileThresholdScaling() {
    return ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
        .getVMOption("CompileThresholdScaling")
        .getValue()
        .replaceAll("0+$", "0");
  }

  static class DefaultCompiler {
    @org.junit.jupiter.api.Test
    @FreshPid
    void tieredWithC2AndSerialGc() {
      assertThat(ManagementFactory.getRuntimeMXBean().getInputArguments())
          .noneMatch(o -> o.startsWith("-XX:TieredStopAtLevel"))
          .contains("-XX:CompileThresholdScaling=5");
      assertThat(compileThresholdScaling()).isEqualTo("5.0"); // what the JVM made of it
      assertThat(ManagementFactory.getGarbageCollectorMXBeans())
          .extracting(GarbageCollectorMXBean::getName)
          .contains("Copy"); // Serial GC's young collector
    }
  }

  static class C1Only {
    @org.junit.jupiter.api.Test
    @FreshPid
    void c1OnlyAndSerialGc() {
      assertThat(ManagementFactory.getRuntimeMXBean().getInputArguments())
          .contains("-XX:TieredStopAtLevel=1")
          .noneMatch(o -> o.startsWith("-XX:CompileThresholdScaling"));
      assertThat(ManagementFactory.getGarbageCollectorMXBeans())
          .extracting(GarbageCollectorMXBean::getName)
          .contains("Copy");
    }
  }

  private static String runFixture(
      Class<?> fixture, List<String> jvmOptions, Map<String, String> env) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    String launcher = System.getProperty("nsjunit.launcher");
    if (launcher != null) {
      cmd.add("-Dnsjunit.launcher=" + launcher);
    }
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            FixtureMain.class.getName(),
            fixture.getName()));
    ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  static class HeapCases {
    @org.junit.jupiter.api.Test
    @CgroupLimit(memory = "128M")
    void limited() {
      assertThat(ProcessHandle.current().pid()).isEqualTo(2L);
      long max = Runtime.getRuntime().maxMemory();
      assertThat(max)
          .as(
              "max heap under a 128M limit with a parent -Xmx1g: the JVM's own choice for the limit")
          .isLessThan(128L << 20);
    }

    @org.junit.jupiter.api.Test
    @FreshPid
    void unlimited() {
      assertThat(ProcessHandle.current().pid()).isEqualTo(2L);
      assertThat(Runtime.getRuntime().maxMemory())
          .as("the parent's -Xmx1g")
          .isGreaterThan(900L << 20);
    }
  }

  static class EnvironmentCases {
    @org.junit.jupiter.api.Test
    @FreshPid
    void parallelCollectorAndToolProperty() {
      assertThat(ProcessHandle.current().pid()).isEqualTo(2L);
      assertThat(ManagementFactory.getGarbageCollectorMXBeans())
          .extracting(GarbageCollectorMXBean::getName)
          .contains("PS Scavenge");
      assertThat(System.getProperty("from.tool.options")).isEqualTo("yes");
      assertThat(ManagementFactory.getRuntimeMXBean().getInputArguments())
          .as("given once, through the environment, not again on the command line")
          .containsOnlyOnce("-XX:+UseParallelGC");
    }
  }
}
