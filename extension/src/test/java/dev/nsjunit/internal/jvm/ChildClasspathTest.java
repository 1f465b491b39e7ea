package dev.nsjunit.internal.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.internal.child.ChildMain;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.core.LauncherFactory;

/** The child's classpath, derived from class loaders whatever started the parent. */
class ChildClasspathTest {

  @Test
  void manifestOnlyJarIsReplacedByTheEntriesItNames(@TempDir Path tmp) throws Exception {
    Path classes = Files.createDirectories(tmp.resolve("test-classes"));
    Path lib = jar(tmp.resolve("lib.jar"), null, "lib/A.class");
    Path booter =
        jar(tmp.resolve("surefirebooter.jar"), classes.toUri() + " " + lib.getFileName(), null);

    Set<Path> entries = new LinkedHashSet<>();
    ChildClasspath.addWithManifestClassPath(booter, entries, new LinkedHashSet<>());

    assertThat(entries)
        .as("the booter has no classes: what it names takes its place, in its order")
        .containsExactly(classes, lib);
  }

  @Test
  void aJarWithClassesKeepsItsPlaceAndWhatItsManifestNamesFollowsIt(@TempDir Path tmp)
      throws Exception {
    Path dependency = jar(tmp.resolve("dep.jar"), null, "dep/D.class");
    Path app = jar(tmp.resolve("app.jar"), "dep.jar", "app/A.class");
    Path other = jar(tmp.resolve("other.jar"), null, "other/O.class");

    Set<Path> entries = new LinkedHashSet<>();
    for (Path p : List.of(app, other)) {
      ChildClasspath.addWithManifestClassPath(p, entries, new LinkedHashSet<>());
    }

    assertThat(entries).containsExactly(app, dependency, other);
  }

  @Test
  void urlClassLoaderEntriesComeAfterTheApplicationClassPathTheyDelegateTo(@TempDir Path tmp)
      throws Exception {
    // The console launcher's --class-path: a URLClassLoader whose parent is the application loader.
    Path extra = Files.createDirectories(tmp.resolve("extra-classes"));
    try (URLClassLoader consoleLike =
        new URLClassLoader(new URL[] {extra.toUri().toURL()}, getClass().getClassLoader())) {
      List<Path> entries =
          ChildClasspath.fromLoaders(consoleLike, ChildMain.class.getClassLoader());

      Path ownClasses = ChildClasspath.codeSource(ChildClasspathTest.class).orElseThrow();
      assertThat(entries).contains(ownClasses, extra);
      assertThat(entries.indexOf(extra))
          .as("searched after its parent, as parent-first delegation does")
          .isGreaterThan(entries.indexOf(ownClasses));
    }
  }

  @Test
  void aClassPathWithoutTheLauncherIsCompletedFromWhereTheLauncherWasLoaded() {
    // Surefire's manifest-only mode: java.class.path is rewritten to the test classpath, and the
    // launcher its provider brought is only in the booter jar's manifest.
    Path testClasses = ChildClasspath.codeSource(ChildClasspathTest.class).orElseThrow();

    ChildClasspath completed =
        ChildClasspath.completed(ChildClasspathTest.class, List.of(testClasses));

    Path launcherJar = ChildClasspath.codeSource(LauncherFactory.class).orElseThrow();
    assertThat(completed.entries())
        .startsWith(testClasses)
        .contains(launcherJar, ChildClasspath.codeSource(ChildMain.class).orElseThrow());
    assertThat(ChildClasspath.missingLauncher(ChildClasspathTest.class, completed)).isEmpty();
  }

  @Test
  void aMissingLauncherIsNamedWithTheVersionOfJunitPlatformCommons() {
    Path commonsJar =
        ChildClasspath.codeSource(org.junit.platform.commons.JUnitException.class).orElseThrow();
    String version =
        commonsJar
            .getFileName()
            .toString()
            .replace("junit-platform-commons-", "")
            .replace(".jar", "");
    ChildClasspath withoutLauncher =
        ChildClasspath.ofEntries(
            List.of(ChildClasspath.codeSource(ChildClasspathTest.class).orElseThrow(), commonsJar));

    String message =
        ChildClasspath.missingLauncher(ChildClasspathTest.class, withoutLauncher).orElseThrow();

    assertThat(message)
        .contains("has no junit-platform-launcher (it has junit-platform-commons " + version + ")")
        .contains(
            "<artifactId>junit-platform-launcher</artifactId><version>"
                + version
                + "</version><scope>test</scope>")
        .contains("testRuntimeOnly(\"org.junit.platform:junit-platform-launcher:" + version + "\")")
        .contains(ChildClasspathTest.class.getName());
  }

  @Test
  void aTestClassThatDoesNotComeFromAFileIsExplainedBeforeAnythingStarts() throws Exception {
    Class<?> fromMemory = new InMemoryLoader().define(Probe.class.getName());

    ChildClasspath classpath = ChildClasspath.of(fromMemory);

    assertThat(ChildClasspath.problem(fromMemory, classpath))
        .get()
        .asString()
        .contains("cannot run " + Probe.class.getName() + " in a sandbox")
        .contains("did not load it from a file or directory");
  }

  /** Defined from bytes, without a code source, as some frameworks' loaders do. */
  static final class InMemoryLoader extends ClassLoader {
    InMemoryLoader() {
      super(ClassLoader.getPlatformClassLoader());
    }

    Class<?> define(String name) throws Exception {
      try (InputStream in =
          ChildClasspathTest.class.getResourceAsStream("/" + name.replace('.', '/') + ".class")) {
        byte[] bytes = in.readAllBytes();
        return defineClass(name, bytes, 0, bytes.length);
      }
    }
  }

  static final class Probe {}

  private static Path jar(Path file, String classPath, String classEntry) throws Exception {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    if (classPath != null) {
      manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
    }
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(file), manifest)) {
      if (classEntry != null) {
        out.putNextEntry(new JarEntry(classEntry));
        out.write(new byte[] {(byte) 0xCA, (byte) 0xFE});
        out.closeEntry();
      }
    }
    return file;
  }
}
