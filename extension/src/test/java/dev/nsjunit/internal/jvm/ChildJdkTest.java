package dev.nsjunit.internal.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The child JDK's version, read from its release file without starting it. */
class ChildJdkTest {

  @Test
  void theFeatureVersionOfEveryReleaseFileFormat() {
    assertThat(ChildJdk.featureOf("IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_VERSION=\"25.0.3\"\n"))
        .isEqualTo(OptionalInt.of(25));
    assertThat(ChildJdk.featureOf("JAVA_VERSION=\"17.0.15\"")).isEqualTo(OptionalInt.of(17));
    assertThat(ChildJdk.featureOf("JAVA_VERSION=\"21\"\r\n")).isEqualTo(OptionalInt.of(21));
    assertThat(ChildJdk.featureOf("JAVA_VERSION=\"26-ea\"")).isEqualTo(OptionalInt.of(26));
    assertThat(ChildJdk.featureOf("JAVA_VERSION=\"1.8.0_402\"")).isEqualTo(OptionalInt.of(8));
    assertThat(ChildJdk.featureOf("JAVA_VERSION=11.0.2")).isEqualTo(OptionalInt.of(11));
    // JAVA_RUNTIME_VERSION and JAVA_VERSION_DATE are not JAVA_VERSION
    assertThat(
            ChildJdk.featureOf(
                "JAVA_RUNTIME_VERSION=\"25.0.3+9-LTS\"\nJAVA_VERSION_DATE=\"2026-04-21\"\n"
                    + "JAVA_VERSION=\"25.0.3\""))
        .isEqualTo(OptionalInt.of(25));
  }

  @Test
  void aGarbledOrMissingVersionIsNoVersion() {
    assertThat(ChildJdk.featureOf("")).isEmpty();
    assertThat(ChildJdk.featureOf("\0\1garbage\n\u00ff")).isEmpty();
    assertThat(ChildJdk.featureOf("JAVA_RUNTIME_VERSION=\"25.0.3+9-LTS\"")).isEmpty();
    assertThat(ChildJdk.featureOf("JAVA_VERSION=\"\"")).isEmpty();
    assertThat(ChildJdk.featureOf("JAVA_VERSION=\"twenty-five\"")).isEmpty();
    assertThat(ChildJdk.featureOf("JAVA_VERSION=\"25x\"")).isEmpty();
    assertThat(ChildJdk.featureOf("JAVA_VERSION=\"0\"")).isEmpty();
    assertThat(ChildJdk.featureOf("JAVA_VERSION=\"99999999999\"")).isEmpty();
  }

  @Test
  void aJdkIsFoundThroughTheRealPathOfItsJava(@TempDir Path dir) throws Exception {
    Path java = fakeJdk(dir.resolve("jdk-25"), "JAVA_VERSION=\"25.0.3\"\n");
    Path link = Files.createSymbolicLink(dir.resolve("java"), java);

    ChildJdk jdk = ChildJdk.of(link.toString()).orElseThrow();

    assertThat(jdk.feature()).isEqualTo(25);
    assertThat(jdk.home()).isEqualTo(dir.resolve("jdk-25").toRealPath());
    assertThat(jdk.identity()).contains(jdk.home().toString()).contains("25.0.3");
  }

  @Test
  void thisJvmsOwnJavaIsThisJvmsJdk() {
    String own = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    assertThat(ChildJdk.of(own)).contains(ChildJdk.thisJvm());
    assertThat(ChildJdk.thisJvm().feature()).isEqualTo(Runtime.version().feature());
  }

  @Test
  void anUnreadableVersionMeansNoSharingSaidOnceOnStderr(@TempDir Path dir) throws Exception {
    Path noRelease = fakeJdk(dir.resolve("no-release"), null);
    Path garbled = fakeJdk(dir.resolve("garbled"), "\0\1 not a release file");

    String[] err = new String[1];
    Optional<ChildJdk> missing = stderrOf(() -> ChildJdk.of(noRelease.toString()), err);
    assertThat(missing).isEmpty();
    assertThat(err[0])
        .startsWith("nsjunit: child JVMs run " + noRelease)
        .contains("without class-data sharing")
        .contains("cannot read " + dir.resolve("no-release").toRealPath().resolve("release"))
        .hasLineCount(1);

    assertThat(stderrOf(() -> ChildJdk.of(garbled.toString()), err)).isEmpty();
    assertThat(err[0]).contains("has no JAVA_VERSION=").hasLineCount(1);

    assertThat(stderrOf(() -> ChildJdk.of(dir.resolve("absent/bin/java").toString()), err))
        .isEmpty();
    assertThat(err[0]).contains("cannot resolve its real path").hasLineCount(1);

    Path wrapper = dir.resolve("wrapper.sh");
    Files.writeString(wrapper, "#!/bin/sh\nexec java \"$@\"\n");
    assertThat(stderrOf(() -> ChildJdk.of(wrapper.toString()), err)).isEmpty();
    assertThat(err[0])
        .contains(wrapper.toRealPath() + " is not in a JDK's bin directory")
        .hasLineCount(1);

    // Once per java path and JVM.
    assertThat(stderrOf(() -> ChildJdk.of(noRelease.toString()), err)).isEmpty();
    assertThat(err[0]).isEmpty();

    // ... and the child gets no archive options, only its classpath.
    ClassDataSharing.Plan plan =
        ClassDataSharing.plan(
            garbled.toString(), null, true, false, "/nowhere/a.jar", java.util.List.of(), true);
    assertThat(plan.jvmOptions()).isEmpty();
    assertThat(plan.classpath()).isEqualTo("/nowhere/a.jar");
  }

  /** {@code <home>/bin/java} (a script that fails), and a release file unless null. */
  private static Path fakeJdk(Path home, String release) throws Exception {
    Files.createDirectories(home.resolve("bin"));
    Path java = home.resolve("bin/java");
    Files.writeString(java, "#!/bin/sh\nexit 1\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    if (release != null) {
      Files.writeString(home.resolve("release"), release, StandardCharsets.ISO_8859_1);
    }
    return java;
  }

  private static <T> T stderrOf(Supplier<T> body, String[] err) {
    PrintStream earlier = System.err;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      return body.get();
    } finally {
      System.setErr(earlier);
      err[0] = bytes.toString(StandardCharsets.UTF_8);
    }
  }
}
