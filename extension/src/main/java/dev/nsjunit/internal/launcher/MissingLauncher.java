package dev.nsjunit.internal.launcher;

import dev.nsjunit.internal.jvm.ChildClasspath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The message for a test classpath without junit-platform-launcher, naming the one dependency that
 * fits: the launcher of the same version as the junit-platform-commons the tests run with.
 *
 * <p>nsjunit does not bundle or fetch a launcher: one of another version than the Platform on the
 * classpath fails in ways that look like nsjunit's bugs. It takes the launcher the runner already
 * loaded (Surefire's provider, the console launcher, Gradle's worker, IntelliJ's runner) because
 * the child's classpath comes from the parent's class loaders; only when none is loaded anywhere
 * does it stop, before any child starts.
 */
public final class MissingLauncher {
  private MissingLauncher() {}

  public static String message(Class<?> testClass) {
    Optional<String> version = platformVersion(testClass);
    String v = version.orElse("<the version of your junit-platform-commons>");
    return "nsjunit runs an isolated test in a child JVM with junit-platform-launcher, and the test classpath of "
        + testClass.getName()
        + " has no junit-platform-launcher"
        + version.map(x -> " (it has junit-platform-commons " + x + ")").orElse("")
        + ". Add it as a test dependency,"
        + " in the same version as junit-platform-commons:\n"
        + "  Maven:  <dependency><groupId>org.junit.platform</groupId><artifactId>junit-platform-launcher</artifactId>"
        + "<version>"
        + v
        + "</version><scope>test</scope></dependency>"
        + "  (leave <version> out when you import org.junit:junit-bom)\n"
        + "  Gradle: testRuntimeOnly(\"org.junit.platform:junit-platform-launcher:"
        + v
        + "\")"
        + "  (no version with the JUnit BOM: testImplementation(platform(\"org.junit:junit-bom:...\")))\n"
        + "No isolated test of this run starts until it is there (see docs/runners.md).";
  }

  /** The Implementation-Version of the junit-platform-commons the test class sees. */
  static Optional<String> platformVersion(Class<?> testClass) {
    try {
      Class<?> commons =
          Class.forName(
              "org.junit.platform.commons.JUnitException", false, testClass.getClassLoader());
      String declared = commons.getPackage().getImplementationVersion();
      if (declared != null && !declared.isBlank()) {
        return Optional.of(declared);
      }
      Optional<Path> jar = ChildClasspath.codeSource(commons);
      if (jar.isPresent() && Files.isRegularFile(jar.get())) {
        try (JarFile file = new JarFile(jar.get().toFile())) {
          Manifest m = file.getManifest();
          String fromManifest =
              m == null ? null : m.getMainAttributes().getValue("Implementation-Version");
          if (fromManifest == null && m != null) {
            fromManifest = m.getMainAttributes().getValue("Bundle-Version");
          }
          return Optional.ofNullable(fromManifest).filter(s -> !s.isBlank());
        }
      }
    } catch (ClassNotFoundException | LinkageError | IOException e) {
      // no version to name; the message says which one to pick
    }
    return Optional.empty();
  }
}
