package dev.nsjunit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.testing.SandboxKit;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.engine.TestExecutionResult;

/** Every kind of test and lifecycle method runs where the user guide says it does. */
class LifecycleTest {

  static void assertInSandbox() {
    assertThat(System.getProperty("nsjunit.sandboxed"))
        .as("running in a sandbox")
        .isEqualTo("true");
    assertThat(ProcessHandle.current().pid()).isEqualTo(2);
  }

  @Test
  void everyParameterizedInvocationGetsItsOwnSandbox() {
    SandboxKit.Run run = SandboxKit.run(ParameterizedCases.class);
    run.assertAllPassed(3);
    assertThat(run.stdout())
        .contains("value=1 in sandbox")
        .contains("value=2 in sandbox")
        .contains("value=3 in sandbox");
  }

  @Test
  void everyRepetitionGetsItsOwnSandbox() {
    SandboxKit.run(RepeatedCases.class).assertAllPassed(2);
  }

  @Test
  void dynamicTestsEachRunInASandbox() {
    SandboxKit.Run run = SandboxKit.run(FactoryCases.class);
    run.results().testEvents().assertStatistics(s -> s.started(3));
    assertThat(run.resultOf("a").getStatus()).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
    assertThat(run.resultOf("b").getStatus()).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
    // The failing one fails with its own error, raised in its sandbox (not an assertInSandbox
    // failure).
    assertThat(run.failureOf("c fails"))
        .isInstanceOf(AssertionError.class)
        .hasMessage("c fails on purpose");
    assertThat(run.stdout()).contains("dynamic a in sandbox").contains("dynamic b in sandbox");
  }

  @Test
  void classLevelAnnotationCoversNestedClassesAndMovesLifecycleIntoTheSandbox() {
    SandboxKit.Run run = SandboxKit.run(ClassLevelCases.class);
    run.assertAllPassed(2);
    // @BeforeAll ran in the sandbox, not here: it would have printed with a host pid.
    assertThat(run.stdout())
        .contains("beforeAll pid=2")
        .doesNotContain("beforeAll pid=" + ProcessHandle.current().pid());
  }

  @Test
  void customMetaAnnotationIsolatesToo() {
    SandboxKit.run(MetaCases.class).assertAllPassed(1);
  }

  static class ParameterizedCases {
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    @FreshPid
    void eachValue(int value) {
      assertInSandbox();
      System.out.println("value=" + value + " in sandbox");
    }
  }

  static class RepeatedCases {
    @RepeatedTest(2)
    @FreshPid
    void again() {
      assertInSandbox();
    }
  }

  static class FactoryCases {
    @TestFactory
    @FreshPid
    Stream<DynamicTest> dynamics() {
      return Stream.of(
          DynamicTest.dynamicTest(
              "a",
              () -> {
                assertInSandbox();
                System.out.println("dynamic a in sandbox");
              }),
          DynamicTest.dynamicTest(
              "b",
              () -> {
                assertInSandbox();
                System.out.println("dynamic b in sandbox");
              }),
          DynamicTest.dynamicTest(
              "c fails",
              () -> {
                assertInSandbox();
                throw new AssertionError("c fails on purpose");
              }));
    }
  }

  @FreshPid
  static class ClassLevelCases {
    static long beforeAllPid = -1;
    long beforeEachPid = -1;

    @BeforeAll
    static void beforeAll() {
      beforeAllPid = ProcessHandle.current().pid();
      System.out.println("beforeAll pid=" + beforeAllPid);
    }

    @BeforeEach
    void beforeEach() {
      beforeEachPid = ProcessHandle.current().pid();
    }

    @Test
    void outer() {
      assertInSandbox();
      assertThat(beforeAllPid).isEqualTo(2);
      assertThat(beforeEachPid).isEqualTo(2);
    }

    @Nested
    class Inner {
      @Test
      void inner() {
        assertInSandbox();
        assertThat(beforeEachPid).isEqualTo(2);
      }
    }
  }

  @Retention(RetentionPolicy.RUNTIME)
  @FreshPid
  @interface Isolated {}

  static class MetaCases {
    @Test
    @Isolated
    void viaMetaAnnotation() {
      assertInSandbox();
    }
  }
}
