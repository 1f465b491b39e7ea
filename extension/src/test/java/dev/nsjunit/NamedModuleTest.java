package dev.nsjunit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nsjunit as a named module ({@code module-info.java}: module {@code dev.nsjunit}, exporting only
 * its API): a test module that {@code requires dev.nsjunit}, with nsjunit, JUnit and jnr-ffi all on
 * the module path, runs a {@code @FreshPid} and a {@code @CgroupLimit} test in sandboxes, and the
 * child runs them in the same named module. The fixture module is in test resources
 * (named-module/).
 */
class NamedModuleTest {
  private static final List<String> MODULE_JARS =
      List.of(
          "junit-jupiter-api",
          "junit-jupiter-engine",
          "junit-platform-commons",
          "junit-platform-engine",
          "junit-platform-launcher",
          "opentest4j",
          "apiguardian",
          "jnr-",
          "jffi",
          "asm-");

  @TempDir Path dir;

  @Test
  void aTestModuleThatRequiresNsjunitRunsItsIsolatedTestsFromTheModulePath() throws Exception {
    Path classes = Path.of("target/classes").toAbsolutePath();
    assertThat(classes.resolve("module-info.class"))
        .as("nsjunit's module descriptor, compiled")
        .exists();
    List<String> modulePath = new ArrayList<>(List.of(classes.toString()));
    for (String entry :
        Files.readString(Path.of("target/test-classpath.txt")).strip().split(File.pathSeparator)) {
      String name = Path.of(entry).getFileName().toString();
      if (name.endsWith(".jar") && MODULE_JARS.stream().anyMatch(name::startsWith)) {
        modulePath.add(entry);
      }
    }
    Path sources = Path.of("src/test/resources/named-module").toAbsolutePath();
    List<String> javac =
        new ArrayList<>(
            List.of(
                "-d",
                dir.resolve("out").toString(),
                "--module-path",
                String.join(File.pathSeparator, modulePath)));
    try (Stream<Path> files = Files.walk(sources)) {
      files.filter(p -> p.toString().endsWith(".java")).forEach(p -> javac.add(p.toString()));
    }
    assertThat(
            ToolProvider.getSystemJavaCompiler()
                .run(null, null, null, javac.toArray(String[]::new)))
        .as("javac of the test module against nsjunit's module")
        .isZero();

    modulePath.add(dir.resolve("out").toString());
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path",
                String.join(File.pathSeparator, modulePath),
                "--add-modules",
                "ALL-MODULE-PATH",
                "-m",
                "com.example.mt/com.example.mt.Main")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(out).as(out).contains("2 tests successful").contains("0 tests failed");
  }
}
