package dev.nsjunit.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts {@link FixtureMain} in a JVM of its own, with this JVM's classpath and nsjunit settings.
 */
public final class TestJvm {
  private TestJvm() {}

  public static ProcessBuilder fixture(
      Class<?> fixture, List<String> prefix, String... systemProperties) {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String launcher = System.getProperty("nsjunit.launcher");
    if (launcher != null) {
      cmd.add("-Dnsjunit.launcher=" + launcher);
    }
    for (String p : systemProperties) {
      cmd.add("-D" + p);
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(FixtureMain.class.getName());
    cmd.add(fixture.getName());
    return new ProcessBuilder(cmd).redirectErrorStream(true);
  }
}
