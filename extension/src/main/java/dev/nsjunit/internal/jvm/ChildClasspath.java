package dev.nsjunit.internal.jvm;

import dev.nsjunit.internal.child.ChildMain;
import dev.nsjunit.internal.launcher.MissingLauncher;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

/**
 * The classes the child JVM runs a test with: the ones the parent used, found through the class
 * loaders that loaded the test class and nsjunit, whoever started the parent.
 *
 * <ul>
 *   <li>the JDK's application class loader: {@code java.class.path}, with the {@code Class-Path} of
 *       every jar's manifest followed as the JDK follows it (Surefire's manifest-only booter jar,
 *       IntelliJ's and Eclipse's classpath jars; an IDE's argument file is already expanded);
 *   <li>a {@link URLClassLoader} anywhere in the chain (the console launcher's {@code
 *       --class-path}, Surefire's in-process loader with {@code forkCount=0}, IntelliJ's
 *       classpath-file wrapper): its URLs, ancestors first, the way parent-first delegation
 *       searches them;
 *   <li>then the code source of every class the child cannot run without (the test class, nsjunit,
 *       the JUnit Platform launcher, engine and commons, the test's engine) when it is not there
 *       yet. This also covers loaders nsjunit cannot look into, and Surefire's manifest-only mode,
 *       which rewrites {@code java.class.path} to the test classpath without the JUnit launcher its
 *       provider brought.
 * </ul>
 *
 * <p>Named modules are not rebuilt here: the parent's module options ({@code --module-path}, {@code
 * --patch-module}, {@code --add-reads}, ...) reach the child as JVM options, and {@link
 * #addModules()} adds the modules of the test and nsjunit as roots.
 */
public final class ChildClasspath {
  /**
   * The class the child's launcher needs; the first thing missing when the dependency is missing.
   */
  static final String LAUNCHER_CLASS = "org.junit.platform.launcher.core.LauncherFactory";

  /**
   * Classes the child needs, looked up through the test class's loader; their jars complete the
   * path.
   */
  private static final List<String> NEEDED_CLASSES =
      List.of(
          LAUNCHER_CLASS,
          "org.junit.platform.engine.TestEngine",
          "org.junit.platform.commons.JUnitException",
          "org.opentest4j.TestAbortedException",
          "org.junit.jupiter.engine.JupiterTestEngine",
          "org.junit.jupiter.api.Test",
          "jnr.ffi.LibraryLoader");

  private static final Map<ClassLoader, List<Path>> FROM_LOADERS =
      Collections.synchronizedMap(new WeakHashMap<>());
  private static final Map<ClassLoader, Optional<String>> LAUNCHER_PROBLEMS =
      Collections.synchronizedMap(new WeakHashMap<>());

  private final List<Path> entries;
  private final List<String> addModules;

  private ChildClasspath(List<Path> entries, List<String> addModules) {
    this.entries = List.copyOf(entries);
    this.addModules = List.copyOf(addModules);
  }

  /** The child's classpath for a test of {@code testClass}. */
  public static ChildClasspath of(Class<?> testClass) {
    ClassLoader loader = loaderOf(testClass);
    return completed(
        testClass,
        FROM_LOADERS.computeIfAbsent(
            loader, l -> fromLoaders(l, ChildMain.class.getClassLoader())));
  }

  /** {@code fromLoaders} plus the code sources of the classes the child cannot run without. */
  static ChildClasspath completed(Class<?> testClass, List<Path> fromLoaders) {
    LinkedHashSet<Path> all = new LinkedHashSet<>(fromLoaders);
    for (Path needed : neededCodeSources(testClass)) {
      all.add(needed);
    }
    return new ChildClasspath(new ArrayList<>(all), rootModules(testClass));
  }

  /** A classpath of exactly these entries (for tests). */
  static ChildClasspath ofEntries(List<Path> entries) {
    return new ChildClasspath(entries, List.of());
  }

  /** The entries, in the order the parent's loaders search them. */
  public List<Path> entries() {
    return entries;
  }

  public String asString() {
    List<String> s = new ArrayList<>();
    entries.forEach(p -> s.add(p.toString()));
    return String.join(":", s);
  }

  /**
   * {@code --add-modules} values for the named modules the child needs as roots: the test's and
   * nsjunit's, when they live in the boot layer (a parent started with {@code -m} or by Surefire's
   * module path support already resolved them there; the child starts from its classpath).
   */
  public List<String> addModules() {
    return addModules;
  }

  /**
   * Why the child could not start, found before any child starts: the JUnit Platform launcher is
   * missing (once per class loader; the message names the exact dependency to add), or the test
   * lives in a module layer nsjunit cannot rebuild.
   */
  public static Optional<String> problem(Class<?> testClass, ChildClasspath classpath) {
    Module module = testClass.getModule();
    if (module.isNamed() && module.getLayer() != ModuleLayer.boot()) {
      return Optional.of(
          "nsjunit cannot run "
              + testClass.getName()
              + " in a sandbox: it is in module "
              + module.getName()
              + " of a module layer created at run time, and a child JVM can only rebuild the boot layer"
              + " (--module-path, --add-modules). Run the test from the class path or the boot layer's module path.");
    }
    Optional<Path> location = codeSource(testClass);
    if (location.isEmpty() || !classpath.entries().contains(location.get())) {
      return Optional.of(
          "nsjunit cannot run "
              + testClass.getName()
              + " in a sandbox: its class loader ("
              + loaderOf(testClass).getClass().getName()
              + ") did not load it from a file or directory a child JVM could put"
              + " on its class path (code source: "
              + testClass.getProtectionDomain().getCodeSource()
              + ")."
              + " Run the tests from a class path of jars and directories (see docs/runners.md).");
    }
    return LAUNCHER_PROBLEMS.computeIfAbsent(
        loaderOf(testClass), l -> missingLauncher(testClass, classpath));
  }

  private static ClassLoader loaderOf(Class<?> testClass) {
    ClassLoader l = testClass.getClassLoader();
    return l != null ? l : ClassLoader.getSystemClassLoader();
  }

  static Optional<String> missingLauncher(Class<?> testClass, ChildClasspath classpath) {
    String resource = LAUNCHER_CLASS.replace('.', '/') + ".class";
    for (Path entry : classpath.entries()) {
      if (contains(entry, resource)) {
        return Optional.empty();
      }
    }
    return Optional.of(MissingLauncher.message(testClass));
  }

  private static boolean contains(Path entry, String resource) {
    if (Files.isDirectory(entry)) {
      return Files.isRegularFile(entry.resolve(resource));
    }
    if (!Files.isRegularFile(entry)) {
      return false;
    }
    try (JarFile jar = new JarFile(entry.toFile())) {
      return jar.getEntry(resource) != null;
    } catch (IOException e) {
      return false;
    }
  }

  /** The search path of the loaders that loaded the test class and nsjunit, ancestors first. */
  static List<Path> fromLoaders(ClassLoader testLoader, ClassLoader nsjunitLoader) {
    LinkedHashSet<Path> result = new LinkedHashSet<>();
    for (ClassLoader start :
        List.of(testLoader, nsjunitLoader == null ? testLoader : nsjunitLoader)) {
      List<ClassLoader> chain = new ArrayList<>();
      for (ClassLoader l = start; l != null; l = l.getParent()) {
        chain.add(0, l);
      }
      for (ClassLoader l : chain) {
        if (l instanceof URLClassLoader u) {
          for (URL url : u.getURLs()) {
            toPath(url).ifPresent(p -> addWithManifestClassPath(p, result, new LinkedHashSet<>()));
          }
        } else if (isApplicationLoader(l)) {
          for (String entry : System.getProperty("java.class.path", "").split(":")) {
            if (!entry.isEmpty()) {
              addWithManifestClassPath(Path.of(entry), result, new LinkedHashSet<>());
            }
          }
        }
        // The platform loader holds JDK modules only; other loaders are covered by the code sources
        // below.
      }
    }
    return new ArrayList<>(result);
  }

  private static boolean isApplicationLoader(ClassLoader l) {
    return l.getClass().getName().equals("jdk.internal.loader.ClassLoaders$AppClassLoader");
  }

  /**
   * Adds a jar or directory, then what its manifest's {@code Class-Path} names, right after it (the
   * JDK searches them next). A manifest-only jar (Surefire's booter, an IDE's classpath jar) is
   * replaced by what it names: it has no classes, and class-data sharing needs real jars.
   */
  static void addWithManifestClassPath(Path entry, Set<Path> into, Set<Path> visiting) {
    Path p = entry.toAbsolutePath().normalize();
    if (!visiting.add(p) || into.contains(p)) {
      return;
    }
    if (Files.isDirectory(p)) {
      into.add(p);
      return;
    }
    if (!Files.isRegularFile(p)) {
      return; // a missing entry: the JDK skips it too
    }
    List<Path> referenced = new ArrayList<>();
    boolean manifestOnly = false;
    try (JarFile jar = new JarFile(p.toFile())) {
      Manifest m = jar.getManifest();
      String cp = m == null ? null : m.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
      if (cp != null && !cp.isBlank()) {
        for (String url : cp.trim().split("\\s+")) {
          try {
            URL resolved = p.getParent().toUri().resolve(url).toURL();
            toPath(resolved).ifPresent(referenced::add);
          } catch (IllegalArgumentException | java.net.MalformedURLException e) {
            // the JDK ignores an entry it cannot parse as well
          }
        }
        manifestOnly = jar.stream().allMatch(ChildClasspath::isManifestOnlyEntry);
      }
    } catch (IOException e) {
      into.add(p); // not a jar we can read; the child's JVM will judge it as the parent's did
      return;
    }
    if (!manifestOnly) {
      into.add(p);
    }
    for (Path r : referenced) {
      addWithManifestClassPath(r, into, visiting);
    }
  }

  private static boolean isManifestOnlyEntry(ZipEntry e) {
    return e.isDirectory()
        || e.getName().toUpperCase(java.util.Locale.ROOT).startsWith("META-INF/");
  }

  private static Optional<Path> toPath(URL url) {
    if (!"file".equals(url.getProtocol())) {
      return Optional.empty(); // jar:nested!/ or http: cannot go on a JVM's class path
    }
    try {
      return Optional.of(Path.of(url.toURI()));
    } catch (URISyntaxException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Where the test class, nsjunit and the JUnit classes the child needs were loaded from. */
  private static List<Path> neededCodeSources(Class<?> testClass) {
    List<Path> result = new ArrayList<>();
    codeSource(testClass).ifPresent(result::add);
    codeSource(ChildMain.class).ifPresent(result::add);
    ClassLoader loader = loaderOf(testClass);
    for (String name : NEEDED_CLASSES) {
      try {
        codeSource(Class.forName(name, false, loader)).ifPresent(result::add);
      } catch (ClassNotFoundException | LinkageError e) {
        // not there: the launcher's absence is reported by problem(); the others are optional
      }
    }
    return result;
  }

  public static Optional<Path> codeSource(Class<?> c) {
    CodeSource source = c.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return Optional.empty();
    }
    return toPath(source.getLocation()).map(p -> p.toAbsolutePath().normalize());
  }

  private static List<String> rootModules(Class<?> testClass) {
    List<String> roots = new ArrayList<>();
    for (Class<?> c : List.of(testClass, ChildMain.class)) {
      Module m = c.getModule();
      if (m.isNamed() && m.getLayer() == ModuleLayer.boot() && !roots.contains(m.getName())) {
        roots.add(m.getName());
      }
    }
    return roots;
  }
}
