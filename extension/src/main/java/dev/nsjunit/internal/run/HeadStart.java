package dev.nsjunit.internal.run;

import dev.nsjunit.internal.child.ChildMain;
import dev.nsjunit.internal.jvm.LaunchedTestPlans;
import dev.nsjunit.internal.namespaces.PrivilegeProbe;
import dev.nsjunit.internal.spec.AnnotationChain;
import dev.nsjunit.internal.spec.Configuration;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.platform.commons.annotation.Testable;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.discovery.ClassSelector;
import org.junit.platform.engine.discovery.MethodSelector;
import org.junit.platform.engine.discovery.NestedClassSelector;
import org.junit.platform.engine.discovery.NestedMethodSelector;
import org.junit.platform.launcher.LauncherDiscoveryListener;
import org.junit.platform.launcher.LauncherDiscoveryRequest;

/**
 * Does a test JVM's once-only work for its first sandbox while JUnit discovers the tests, instead
 * of after: the privilege check (a launcher run), the launcher's extraction and its janitor, and
 * the set-up of the token generator. Otherwise the first isolated test of every IDE run and build
 * fork waits for them on its own path, after discovery, which in a fresh JVM takes a few hundred
 * milliseconds on one core while the other has little to do.
 *
 * <p>When the request is one test method, or one class whose isolated tests all have the same shape
 * (an IDE's run of a test or a class), that sandbox starts too: {@link WaitingSandboxes} keeps it
 * for the test if the test plan still wants it once discovery is done, and discards it otherwise
 * (the test was filtered out, {@code nsjunit.prestart=0}), as any sandbox started ahead.
 *
 * <p>Only when the request selects a class or method with an isolated test (the selectors an IDE,
 * Surefire and Gradle send): a run of ordinary tests with nsjunit on its class path starts nothing.
 * A request that scans packages or class path roots gets no head start; its first isolated test
 * does this work itself, as before. Nothing here decides an outcome: the test asks {@link
 * PrivilegeProbe} itself, which answers from the verdict of this probe or waits for it.
 *
 * <p>Registered through {@code META-INF/services}, like {@link UpcomingTests}.
 */
public final class HeadStart implements LauncherDiscoveryListener {
  private static final AtomicBoolean STARTED = new AtomicBoolean();

  @Override
  public void launcherDiscoveryStarted(LauncherDiscoveryRequest request) {
    LaunchedTestPlans.discoveryStarted();
    if (System.getProperty(ChildMain.SANDBOXED_PROPERTY) != null || STARTED.get()) {
      return; // in a sandbox its tests run in place; a JVM does its once-only work once
    }
    List<DiscoverySelector> selectors = request.getSelectorsByType(DiscoverySelector.class);
    if (!selectsIsolatedTest(selectors)) {
      return; // before reading the configuration: a run of ordinary tests pays for nothing more
    }
    Configuration config;
    try {
      config = Configuration.from(key -> request.getConfigurationParameters().get(key));
    } catch (RuntimeException invalid) {
      return; // every test reports the invalid parameter itself
    }
    if (STARTED.compareAndSet(false, true)) {
      Thread t = new Thread(() -> prepare(config, selectors), "nsjunit-head-start");
      t.setDaemon(true);
      t.start();
    }
  }

  private static void prepare(Configuration config, List<DiscoverySelector> selectors) {
    try {
      firstShape(selectors, config).ifPresent(UpcomingTests::wantBeforeAnyPlan);
      PrivilegeProbe.missingPrivilege(config);
      SandboxRun.prepareTokens();
    } catch (RuntimeException | LinkageError e) {
      // The first test meets the same problem on its own path and reports it.
    }
  }

  /**
   * The shape the first isolated test of a request of one method, or of one class whose isolated
   * test methods share one shape, will ask for; read as {@link UpcomingTests} reads it after
   * discovery. Not for a test in a lab (its class's lab would be built ahead of its plan) or one
   * that does not wait ({@link SandboxRun.Shape#canWait}).
   */
  static Optional<SandboxRun.Shape> firstShape(
      List<DiscoverySelector> selectors, Configuration config) {
    if (selectors.size() != 1) {
      return Optional.empty();
    }
    DiscoverySelector s = selectors.get(0);
    try {
      Class<?> testClass;
      List<Method> methods;
      if (s instanceof MethodSelector m) {
        testClass = m.getJavaClass();
        methods = List.of(m.getJavaMethod());
      } else if (s instanceof NestedMethodSelector n) {
        testClass = n.getNestedClass();
        methods = List.of(n.getMethod());
      } else if (s instanceof ClassSelector || s instanceof NestedClassSelector) {
        testClass = selectedClass(s).orElseThrow();
        methods = testMethods(testClass);
      } else {
        return Optional.empty();
      }
      Set<SandboxRun.Shape> shapes = new HashSet<>();
      for (Method m : methods) {
        UpcomingTests.shape(m, containers(testClass), testClass, () -> Optional.of(config))
            .ifPresent(shapes::add);
      }
      return shapes.size() == 1
          ? shapes.stream()
              .filter(SandboxRun.Shape::canWait)
              .filter(shape -> shape.spec().network().isEmpty())
              .findFirst()
          : Optional.empty();
    } catch (RuntimeException | LinkageError unreadable) {
      return Optional.empty(); // discovery reports it
    }
  }

  /**
   * A class and the classes that contain it in a test plan (a {@code @Nested} class's outer ones).
   */
  private static List<Class<?>> containers(Class<?> cls) {
    List<Class<?>> classes = new ArrayList<>();
    for (Class<?> c = cls; c != null; ) {
      classes.add(c);
      c = c.isMemberClass() && !Modifier.isStatic(c.getModifiers()) ? c.getEnclosingClass() : null;
    }
    return classes;
  }

  /** The class's own and inherited methods that JUnit runs as tests or templates. */
  private static List<Method> testMethods(Class<?> cls) {
    List<Method> methods = new ArrayList<>();
    for (Class<?> c = cls; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Method m : c.getDeclaredMethods()) {
        if (AnnotationSupport.isAnnotated(m, Testable.class)) {
          methods.add(m);
        }
      }
    }
    return methods;
  }

  /** Whether a selected class, or a selected method's class, has an isolated test. */
  static boolean selectsIsolatedTest(List<DiscoverySelector> selectors) {
    for (DiscoverySelector s : selectors) {
      try {
        Optional<Class<?>> cls = selectedClass(s);
        if (cls.isPresent() && hasIsolatedTest(cls.get())) {
          return true;
        }
      } catch (RuntimeException | LinkageError unloadable) {
        // discovery reports a class it cannot load
      }
    }
    return false;
  }

  private static Optional<Class<?>> selectedClass(DiscoverySelector s) {
    if (s instanceof ClassSelector c) {
      return Optional.of(c.getJavaClass());
    }
    if (s instanceof MethodSelector m) {
      return Optional.of(m.getJavaClass());
    }
    if (s instanceof NestedClassSelector n) {
      return Optional.of(n.getNestedClass());
    }
    if (s instanceof NestedMethodSelector n) {
      return Optional.of(n.getNestedClass());
    }
    return Optional.empty();
  }

  /**
   * The class or one of its methods carries a sandbox annotation (directly, inherited or through a
   * meta-annotation: what the spec reader reads). Enclosing classes' annotations count for a nested
   * class; other nested classes of a selected class are not looked into (a wrong guess only costs
   * the head start).
   */
  static boolean hasIsolatedTest(Class<?> cls) {
    for (Class<?> c = cls; c != null; c = c.getEnclosingClass()) {
      if (isSandboxed(c)) {
        return true;
      }
    }
    for (Class<?> c = cls; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Method m : c.getDeclaredMethods()) {
        if (isSandboxed(m)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean isSandboxed(AnnotatedElement element) {
    return SandboxFeatures.SPEC_READER.isSandboxed(AnnotationChain.of(List.of(element)));
  }
}
