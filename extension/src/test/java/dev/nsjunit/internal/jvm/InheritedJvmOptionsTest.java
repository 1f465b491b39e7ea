package dev.nsjunit.internal.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.internal.jvm.InheritedJvmOptions.Decision;
import dev.nsjunit.internal.jvm.InheritedJvmOptions.Parent;
import dev.nsjunit.internal.jvm.InheritedJvmOptions.Result;
import dev.nsjunit.internal.jvm.InheritedJvmOptions.Sandbox;
import dev.nsjunit.internal.jvm.InheritedJvmOptions.Treatment;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Which parent JVM options and properties the child gets, and why (the table in docs/runners.md).
 */
class InheritedJvmOptionsTest {
  private static final String JACOCO =
      "-javaagent:/r/org/jacoco/org.jacoco.agent/0.8.15/org.jacoco.agent-0.8.15-runtime.jar";
  private static final Sandbox NO_LIMIT =
      new Sandbox(OptionalLong.empty(), "com.example.FooTest", false);

  @Test
  void agentsModuleAccessAndPreviewAreForwardedAsGiven() {
    List<String> given =
        List.of(
            JACOCO + "=destfile=/p/target/jacoco.exec",
            "-javaagent:/m/byte-buddy-agent.jar",
            "-agentpath:/opt/profiler/libasyncProfiler.so=start",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--enable-preview",
            "-XX:+ShowCodeDetailsInExceptionMessages",
            "-Xss2m");

    Result r = of(given, Map.of(), NO_LIMIT);

    assertThat(r.jvmOptions()).containsExactlyElementsOf(given);
    assertThat(r.modular()).as("access options alone leave class-data sharing on").isFalse();
  }

  @Test
  void jacocoAppendsEvenWhenTheParentTruncatesAndIsDroppedForTcpOutput() {
    Decision append =
        InheritedJvmOptions.decide(
            JACOCO + "=destfile=/p/jacoco.exec,append=false,includes=com.*", false, NO_LIMIT);
    Decision tcp =
        InheritedJvmOptions.decide(JACOCO + "=output=tcpserver,port=6300", false, NO_LIMIT);

    assertThat(append.treatment()).isEqualTo(Treatment.ADAPTED);
    assertThat(append.childOptions())
        .containsExactly(JACOCO + "=destfile=/p/jacoco.exec,append=true,includes=com.*");
    assertThat(tcp.treatment()).isEqualTo(Treatment.DROPPED);
    assertThat(tcp.reason()).contains("output=tcpserver");
  }

  @Test
  void theParentsDebuggerIsDroppedAndPointsToNsjunitDebug() {
    Result r =
        of(
            List.of(
                "-agentlib:jdwp=transport=dt_socket,server=n,suspend=y,address=127.0.0.1:40123",
                "-ea"),
            Map.of(),
            new Sandbox(OptionalLong.empty(), "com.example.FooTest", true));

    assertThat(r.jvmOptions()).containsExactly("-ea");
    assertThat(r.parentIsDebugged()).isTrue();
    assertThat(r.decisions().get(0).reason()).contains("nsjunit.debug=<port>");
  }

  @Test
  void optionsFromTheEnvironmentAreLeftToTheChildsOwnJvm() {
    // The JVM reports them among its input arguments; the child inherits the variables and reads
    // them again.
    Map<String, String> env =
        Map.of(
            "JAVA_TOOL_OPTIONS",
            "-javaagent:/o/otel.jar -Dtool=1",
            "JDK_JAVA_OPTIONS",
            "--add-opens java.base/java.util=ALL-UNNAMED \"-Dquoted=a b\"");
    List<String> given =
        List.of(
            "-javaagent:/o/otel.jar",
            "-Dtool=1",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "-Dquoted=a b",
            "--add-opens=java.base/java.io=ALL-UNNAMED");

    Result r = of(given, env, NO_LIMIT);

    assertThat(r.jvmOptions())
        .as("a second agent would be loaded twice")
        .containsExactly("--add-opens=java.base/java.io=ALL-UNNAMED");
    assertThat(r.decisions())
        .filteredOn(d -> d.treatment() == Treatment.FROM_ENVIRONMENT)
        .extracting(Decision::option)
        .containsExactly(
            "-javaagent:/o/otel.jar",
            "-Dtool=1",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "-Dquoted=a b");
  }

  @Test
  void aHeapAsLargeAsTheMemoryLimitIsDroppedAndASmallerOneKept() {
    List<String> given = List.of("-Xms256m", "-Xmx2g", "-XX:MaxRAMPercentage=50");
    Sandbox limit64m = new Sandbox(OptionalLong.of(64L << 20), "com.example.FooTest", false);
    Sandbox limit4g = new Sandbox(OptionalLong.of(4L << 30), "com.example.FooTest", false);

    assertThat(of(given, Map.of(), limit64m).jvmOptions())
        .as("the JVM sizes its heap for the cgroup instead")
        .containsExactly("-XX:MaxRAMPercentage=50");
    assertThat(of(given, Map.of(), limit4g).jvmOptions()).containsExactlyElementsOf(given);
    assertThat(of(given, Map.of(), NO_LIMIT).jvmOptions()).containsExactlyElementsOf(given);
    assertThat(InheritedJvmOptions.size("2g")).isEqualTo(2L << 30);
    assertThat(InheritedJvmOptions.size("1536M")).isEqualTo(1536L << 20);
    assertThat(InheritedJvmOptions.size("4096")).isEqualTo(4096);
  }

  @Test
  void theClassLoadersAssertionStatusReachesTheChildLikeSurefiresEnableAssertions() {
    Sandbox loaderSaysOn = new Sandbox(OptionalLong.empty(), "com.example.FooTest", true);
    Sandbox loaderSaysOff = new Sandbox(OptionalLong.empty(), "com.example.FooTest", false);

    assertThat(of(List.of(), Map.of(), loaderSaysOn).jvmOptions()).containsExactly("-ea");
    assertThat(of(List.of("-ea"), Map.of(), loaderSaysOff).jvmOptions())
        .containsExactly("-ea", "-da");
    assertThat(of(List.of("-ea:com.example..."), Map.of(), loaderSaysOn).jvmOptions())
        .as("the package flag already enables the test class")
        .containsExactly("-ea:com.example...");
  }

  @Test
  void assertionFlagsFollowTheJvmsPrecedence() {
    assertThat(
            InheritedJvmOptions.assertionStatus(
                List.of("-ea", "-da:com.example..."), "com.example.a.FooTest"))
        .isFalse();
    assertThat(
            InheritedJvmOptions.assertionStatus(
                List.of("-da:com.example...", "-ea:com.example.a.FooTest"),
                "com.example.a.FooTest$Inner"))
        .isTrue();
    assertThat(InheritedJvmOptions.assertionStatus(List.of("-ea:com.example..."), "org.other.Test"))
        .isFalse();
    assertThat(InheritedJvmOptions.assertionStatus(List.of("-ea:..."), "NoPackageTest")).isTrue();
  }

  @Test
  void moduleGraphOptionsAreForwardedAndTurnClassDataSharingOff() {
    List<String> surefireModular =
        List.of(
            "--module-path=/p/target/classes",
            "--patch-module=app=/p/target/test-classes",
            "--add-opens=app/com.example=ALL-UNNAMED",
            "--add-reads=app=ALL-UNNAMED",
            "--add-modules=ALL-MODULE-PATH");

    Result r = of(surefireModular, Map.of(), NO_LIMIT);

    assertThat(r.jvmOptions()).containsExactlyElementsOf(surefireModular);
    assertThat(r.modular()).isTrue();
  }

  /**
   * The options a JDK 25 AOT cache must be made with, from a child's command line in its order:
   * either spelling (one argument with "=", or two, as users write them in nsjunit.jvmArgs), and
   * nothing else (a heap size or a property changes no module).
   */
  @Test
  void theModuleOptionsAnArchiveMustBeMadeWithAreFoundInEitherSpelling() {
    assertThat(
            InheritedJvmOptions.archivedModuleOptions(
                List.of(
                    "-Xmx256m",
                    "--add-opens",
                    "java.base/java.lang=ALL-UNNAMED",
                    "-Djdk.module.foo=1",
                    "--enable-native-access=ALL-UNNAMED",
                    "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--illegal-native-access=deny",
                    "--add-reads",
                    "java.base=ALL-UNNAMED",
                    "--add-modules=jdk.incubator.vector",
                    "--sun-misc-unsafe-memory-access=allow",
                    "-ea")))
        .containsExactly(
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED",
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--illegal-native-access=deny",
            "--add-reads=java.base=ALL-UNNAMED",
            "--add-modules=jdk.incubator.vector");
    assertThat(InheritedJvmOptions.archivedModuleOptions(List.of("-Xss1m", "--add-opens")))
        .as("an option missing its value (the JVM refuses it; nothing to key on)")
        .isEmpty();
  }

  @Test
  void optionsThatWouldCollideBetweenChildrenOrFightNsjunitsOwnAreDropped() {
    List<String> given =
        List.of(
            "-XX:SharedArchiveFile=/p/app.jsa",
            "-Xshare:off",
            "-XX:+UsePerfData",
            "-Xlog:gc*:file=gc.log",
            "-XX:StartFlightRecording=filename=rec.jfr",
            "-Xlog:gc:stdout",
            "-XshowSettings:vm",
            "-XX:+UseG1GC");

    Result r = of(given, Map.of(), NO_LIMIT);

    assertThat(r.jvmOptions()).containsExactly("-Xlog:gc:stdout", "-XX:+UseG1GC");
    assertThat(r.selectsGarbageCollector())
        .as("nsjunit's fast start then leaves out its SerialGC")
        .isTrue();
    assertThat(r.decisions())
        .filteredOn(d -> d.option().startsWith("-Xlog:gc*"))
        .singleElement()
        .extracting(Decision::reason)
        .asString()
        .contains("PID 2");
  }

  @Test
  void propertiesUsersSetReachTheChildThoseDescribingTheParentDoNot() {
    Properties p = new Properties();
    p.setProperty(
        "user.timezone", "Asia/Tokyo"); // Surefire's systemPropertyVariables, set at run time
    p.setProperty("file.encoding", "ISO-8859-1");
    p.setProperty("java.io.tmpdir", "/var/tmp/build");
    p.setProperty("app.mode", "test");
    p.setProperty("basedir", "/p");
    p.setProperty("java.class.path", "/p/target/test-classes");
    p.setProperty("java.home", "/usr/lib/jvm/x");
    p.setProperty("java.vm.version", "17");
    p.setProperty("sun.java.command", "ForkedBooter");
    p.setProperty("surefire.real.class.path", "/p/booter.jar");
    p.setProperty("jdk.module.path", "/p/target/classes");
    p.setProperty("maven.home", "/usr/share/maven");
    p.setProperty("java.library.path", "/opt/native");
    p.setProperty("user.dir", "/p");
    p.setProperty("nsjunit.sandboxed", "true");

    List<String> implicit = InheritedJvmOptions.systemProperties(p, java.util.Set.of());
    List<String> explicit =
        InheritedJvmOptions.systemProperties(p, java.util.Set.of("java.library.path", "java.home"));

    assertThat(implicit)
        .containsExactlyInAnyOrder(
            "-Duser.timezone=Asia/Tokyo",
            "-Dfile.encoding=ISO-8859-1",
            "-Djava.io.tmpdir=/var/tmp/build",
            "-Dapp.mode=test",
            "-Dbasedir=/p");
    assertThat(explicit)
        .as("a library path the user gave with -D is kept; the JDK's home never")
        .contains("-Djava.library.path=/opt/native")
        .doesNotContain("-Djava.home=/usr/lib/jvm/x");
  }

  private static Result of(List<String> inputArguments, Map<String, String> env, Sandbox sandbox) {
    return InheritedJvmOptions.of(new Parent(inputArguments, env, new Properties()), sandbox);
  }
}
