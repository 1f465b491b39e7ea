package dev.nsjunit.runners;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * RunnerCheckTest through the JUnit console launcher, started the way its documentation shows:
 * {@code java -jar junit-platform-console-standalone.jar execute --class-path ... --select-class
 * ...}. The console launcher loads the test classes in a class loader of its own below the
 * application class loader; the sandboxes must find them (and nsjunit) there.
 */
class ConsoleLauncherIT {

  @Test
  void runnerChecksPassThroughTheConsoleLaunchersClassPathOption() throws Exception {
    Path reports = Path.of(System.getProperty("runners.console.reports"));
    String timezone = System.getProperty("runners.timezone");
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Duser.timezone=" + timezone,
            "-Drunners.expect.timezone=" + timezone,
            "-Drunners.expect.opens=true",
            "-Drunners.mode=console-class-path",
            "--add-opens",
            "java.base/java.lang=ALL-UNNAMED",
            "-jar",
            System.getProperty("runners.console.jar"),
            "execute",
            "--class-path",
            System.getProperty("runners.console.classPath"),
            "--select-class",
            RunnerCheckTest.class.getName(),
            "--config",
            "runners.parameter=from-launcher",
            "--fail-if-no-tests",
            "--disable-banner",
            "--details=tree",
            "--reports-dir",
            reports.toString());
    Process console = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(console.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(console.waitFor(5, TimeUnit.MINUTES)).isTrue();

    System.out.println(output);
    assertThat(console.exitValue())
        .as("the console launcher's exit code; its output:%n%s", output)
        .isZero();
    String report = Files.readString(reports.resolve("TEST-junit-jupiter.xml"));
    assertThat(report)
        .as("the console launcher's XML report")
        .contains("tests=\"4\"")
        .contains("failures=\"0\"")
        .contains("errors=\"0\"")
        .contains("skipped=\"0\"")
        .contains("name=\"runsInASandboxWithTheClassesTheParentUsed()\"");
  }
}
