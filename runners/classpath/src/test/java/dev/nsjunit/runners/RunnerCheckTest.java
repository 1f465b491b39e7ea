package dev.nsjunit.runners;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.FreshPid;
import dev.nsjunit.IsolatedNetns;
import java.lang.management.ManagementFactory;
import java.net.URLClassLoader;
import java.util.TimeZone;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The same isolated tests, run by every runner the pom of this module configures (each sets {@code
 * runners.mode}). The parent JVM writes down what it sees; each sandbox checks it sees the same,
 * and that it really is a sandbox (PID 2, its own network, the nsjunit.sandboxed marker).
 */
@ExtendWith(LauncherParameter.Resolver.class)
@Execution(ExecutionMode.CONCURRENT)
class RunnerCheckTest {
  private static final String SANDBOXED = "nsjunit.sandboxed";

  /** Runs in the parent and again in each sandbox; only the parent's values are recorded. */
  @BeforeAll
  static void recordWhatTheParentSees() {
    if (System.getProperty(SANDBOXED) != null) {
      return;
    }
    System.setProperty("runners.parent.testClasses", location(RunnerCheckTest.class));
    System.setProperty("runners.parent.mainClasses", location(Greeting.class));
    System.setProperty("runners.parent.launcher", location(launcherClass()));
    System.setProperty(
        "runners.parent.assertions",
        Boolean.toString(RunnerCheckTest.class.desiredAssertionStatus()));
    System.setProperty("runners.parent.opensJavaLang", Boolean.toString(canOpenJavaLang()));
    System.setProperty("runners.parent.greeting", Greeting.fromParent());
  }

  @Test
  void theParentWasStartedTheWayThisRunSays() {
    assertThat(System.getProperty(SANDBOXED)).as("this check runs in the parent").isNull();
    String mode = System.getProperty("runners.mode", "(not set)");
    ClassLoader loader = RunnerCheckTest.class.getClassLoader();
    String classPath = System.getProperty("java.class.path");
    switch (mode) {
      case "surefire-manifest-jar" -> {
        // Surefire runs the fork with -jar surefirebooter.jar and rewrites java.class.path to the
        // test classpath, which lacks the JUnit launcher its provider brought.
        assertThat(System.getProperty("surefire.real.class.path"))
            .matches(".*/surefirebooter[^/:]*\\.jar");
        assertThat(classPath).doesNotContain("junit-platform-launcher");
        assertThat(loader).isSameAs(ClassLoader.getSystemClassLoader());
      }
      case "surefire-class-path", "surefire-isolated-class-loader" -> {
        assertThat(System.getProperty("surefire.real.class.path")).isNull();
        assertThat(classPath).contains("surefire-booter").contains("junit-platform-launcher");
        assertThat(loader).isSameAs(ClassLoader.getSystemClassLoader());
      }
      case "surefire-in-maven-jvm" -> {
        assertThat(classPath).as("Maven's own JVM").contains("plexus-classworlds");
        assertThat(loader).isInstanceOf(URLClassLoader.class);
        assertThat(loader.getClass().getName())
            .isEqualTo("org.apache.maven.surefire.booter.IsolatedClassLoader");
      }
      case "surefire-two-forks-jacoco" -> {
        assertThat(System.getProperty("runners.fork")).isIn("1", "2");
        assertThat(ManagementFactory.getRuntimeMXBean().getInputArguments())
            .anyMatch(a -> a.startsWith("-javaagent:") && a.contains("org.jacoco.agent"));
      }
      case "failsafe" ->
          assertThat(location(Greeting.class))
              .as("Failsafe tests the packaged jar")
              .endsWith(".jar");
      case "console-class-path" -> {
        assertThat(classPath).contains("junit-platform-console-standalone");
        assertThat(loader)
            .as("--class-path: a URLClassLoader below the application class loader")
            .isInstanceOf(URLClassLoader.class);
        assertThat(loader.getParent()).isSameAs(ClassLoader.getSystemClassLoader());
      }
      default ->
          throw new AssertionError(
              "runners.mode is " + mode + ": run this class through runners/classpath/pom.xml");
    }
    assertThat(canOpenJavaLang())
        .as("the runner passed --add-opens (runners.expect.opens)")
        .isEqualTo(Boolean.getBoolean("runners.expect.opens"));
  }

  @Test
  @FreshPid
  @IsolatedNetns
  void runsInASandboxWithTheClassesTheParentUsed() throws Exception {
    assertInSandbox();
    assertThat(location(RunnerCheckTest.class))
        .isEqualTo(System.getProperty("runners.parent.testClasses"));
    assertThat(location(Greeting.class))
        .isEqualTo(System.getProperty("runners.parent.mainClasses"));
    assertThat(location(launcherClass()))
        .as("the JUnit launcher the runner brought, or nsjunit's copy of it")
        .satisfiesAnyOf(
            child -> assertThat(child).isEqualTo(System.getProperty("runners.parent.launcher")),
            child ->
                assertThat(child).matches(copyOf(System.getProperty("runners.parent.launcher"))));
    assertThat(Greeting.fromSandbox("runner")).isEqualTo("hello runner from pid 2");
  }

  @Test
  @FreshPid
  @IsolatedNetns
  void assertionsAccessAndPropertiesAreTheParents() throws Exception {
    assertInSandbox();
    boolean assertionsOn = false;
    assert assertionsOn = true;
    assertThat(assertionsOn)
        .as("assert statements, as in the parent")
        .isEqualTo(Boolean.parseBoolean(System.getProperty("runners.parent.assertions")));
    assertThat(canOpenJavaLang())
        .as("--add-opens, as in the parent")
        .isEqualTo(Boolean.parseBoolean(System.getProperty("runners.parent.opensJavaLang")));
    assertThat(TimeZone.getDefault().getID())
        .as("user.timezone given to the runner")
        .isEqualTo(System.getProperty("runners.expect.timezone"));
    assertThat(System.getProperty("runners.parent.greeting"))
        .as("a property the parent set at run time")
        .isEqualTo("hello from the parent");
  }

  @Test
  @FreshPid
  @IsolatedNetns
  void configurationParametersGivenToTheLauncherReachTheSandbox(
      @LauncherParameter("runners.parameter") String value) throws Exception {
    assertInSandbox();
    assertThat(value)
        .as("a JUnit configuration parameter given to the parent's launcher, not a system property")
        .isEqualTo("from-launcher");
    assertThat(System.getProperty("runners.parameter")).isNull();
  }

  static void assertInSandbox() throws Exception {
    assertThat(ProcessHandle.current().pid())
        .as("PID 2: the launcher is PID 1 of a fresh pid namespace")
        .isEqualTo(2L);
    assertThat(System.getProperty(SANDBOXED)).isEqualTo("true");
    assertThat(java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()))
        .as("a network namespace of its own: loopback only")
        .hasSize(1);
  }

  static boolean canOpenJavaLang() {
    try {
      String.class.getDeclaredField("value").setAccessible(true);
      return true;
    } catch (RuntimeException | NoSuchFieldException e) {
      return false;
    }
  }

  static Class<?> launcherClass() {
    try {
      return Class.forName(
          "org.junit.platform.launcher.core.LauncherFactory",
          false,
          RunnerCheckTest.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new AssertionError("the runner's JUnit launcher is not visible to the test", e);
    }
  }

  /**
   * nsjunit's copy of a JUnit jar whose lambdas are classes (nsjunit.cds.lambdaClasses), which a
   * child on JDK 17-24 runs once the class-data archive is made: the same jar's name in nsjunit's
   * cache, after a hash of the original's path, size and time.
   */
  static String copyOf(String parentJar) {
    String name = parentJar.substring(parentJar.lastIndexOf('/') + 1);
    return "file:.*/nsjunit-[0-9]+/cds/nsjunit-lambdas-[0-9a-f]{12}-"
        + java.util.regex.Pattern.quote(name);
  }

  static String location(Class<?> c) {
    return c.getProtectionDomain().getCodeSource().getLocation().toString();
  }
}
