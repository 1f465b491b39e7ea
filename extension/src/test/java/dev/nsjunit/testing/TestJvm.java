package dev.nsjunit.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts {@link FixtureMain} in a JVM of its own, with this JVM's classpath and nsjunit settings.
 */
public final class TestJvm {
  private TestJvm() {}

  /** A JVM of its own running {@code mainClass} with these arguments (output and errors merged). */
  public static ProcessBuilder main(Class<?> mainClass, List<String> args) {
    List<String> cmd = java(List.of());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass.getName());
    cmd.addAll(args);
    return new ProcessBuilder(cmd).redirectErrorStream(true);
  }

  /** {@code prefix}, then this JVM's java with its nsjunit.launcher setting. */
  private static List<String> java(List<String> prefix) {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String launcher = System.getProperty("nsjunit.launcher");
    if (launcher != null) {
      cmd.add("-Dnsjunit.launcher=" + launcher);
    }
    return cmd;
  }

  public static ProcessBuilder fixture(
      Class<?> fixture, List<String> prefix, String... systemProperties) {
    List<String> cmd = java(prefix);
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
