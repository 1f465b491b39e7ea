package dev.nsjunit.internal;

import dev.nsjunit.Network;
import dev.nsjunit.SandboxFailedException;
import dev.nsjunit.SandboxFailedException.Reason;
import dev.nsjunit.internal.child.ChildMain;
import dev.nsjunit.internal.jvm.ChildJUnitConfiguration;
import dev.nsjunit.internal.lab.ChildNetwork;
import dev.nsjunit.internal.lab.LabAccess;
import dev.nsjunit.internal.lab.Labs;
import dev.nsjunit.internal.lab.ParentStandInNetwork;
import dev.nsjunit.internal.limits.LimitsUnavailable;
import dev.nsjunit.internal.limits.UsageEntries;
import dev.nsjunit.internal.namespaces.PrivilegeProbe;
import dev.nsjunit.internal.run.ExitingSandboxes;
import dev.nsjunit.internal.run.Outcome;
import dev.nsjunit.internal.run.OutputForwarder;
import dev.nsjunit.internal.run.RunRecord;
import dev.nsjunit.internal.run.SandboxFeatures;
import dev.nsjunit.internal.run.SandboxRun;
import dev.nsjunit.internal.spec.Configuration;
import dev.nsjunit.internal.spec.SandboxSpec;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.DynamicTestInvocationContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.opentest4j.TestAbortedException;

/**
 * The extension behind every nsjunit annotation. In the JVM that discovered the test it replaces
 * the test's invocation with a sandbox run and reports that run's outcome as the test's own; in the
 * sandbox's child JVM it lets everything run in place.
 *
 * <p>What runs where, for an isolated test: the test class constructor and other extensions'
 * callbacks run in the parent (JUnit creates the test instance before any interceptor runs) and
 * again in the child; {@code @BeforeEach}/{@code @AfterEach} and the test body run only in the
 * child; a class-level annotation moves {@code @BeforeAll}/{@code @AfterAll} into each sandbox too.
 * A {@code @TestFactory} method runs in the parent to discover its dynamic tests (with its
 * {@code @BeforeEach}), and each dynamic test runs in its own sandbox.
 */
public final class SandboxExtension implements InvocationInterceptor, ParameterResolver {
  private static final ExtensionContext.Namespace EXITING =
      ExtensionContext.Namespace.create(SandboxExtension.class, "exiting-sandboxes");

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Network.class;
  }

  /**
   * In the sandbox: the test's {@link Network}. In the parent JUnit resolves parameters before any
   * interceptor runs, so it gets a stand-in there that the skipped invocation never uses.
   */
  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    if (inSandbox()) {
      String host = System.getProperty(ChildNetwork.HOST_PROPERTY);
      if (host == null) {
        throw new ParameterResolutionException(
            "a Network parameter needs a @Topology on the test or its class (the host to run on)");
      }
      return new ChildNetwork(host);
    }
    return ParentStandInNetwork.INSTANCE;
  }

  static boolean inSandbox() {
    return System.getProperty(ChildMain.SANDBOXED_PROPERTY) != null;
  }

  @Override
  public void interceptTestMethod(
      Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext,
      ExtensionContext context)
      throws Throwable {
    runIsolated(invocation, context);
  }

  @Override
  public void interceptTestTemplateMethod(
      Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext,
      ExtensionContext context)
      throws Throwable {
    runIsolated(invocation, context);
  }

  @Override
  public void interceptDynamicTest(
      Invocation<Void> invocation,
      DynamicTestInvocationContext invocationContext,
      ExtensionContext context)
      throws Throwable {
    runIsolated(invocation, context);
  }

  @Override
  public void interceptBeforeEachMethod(
      Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext,
      ExtensionContext context)
      throws Throwable {
    proceedUnlessMovedToSandbox(invocation, context);
  }

  @Override
  public void interceptAfterEachMethod(
      Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext,
      ExtensionContext context)
      throws Throwable {
    proceedUnlessMovedToSandbox(invocation, context);
  }

  @Override
  public void interceptBeforeAllMethod(
      Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext,
      ExtensionContext context)
      throws Throwable {
    proceedUnlessClassIsolated(invocation, context);
  }

  @Override
  public void interceptAfterAllMethod(
      Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext,
      ExtensionContext context)
      throws Throwable {
    proceedUnlessClassIsolated(invocation, context);
  }

  /** A class-level annotation moves {@code @BeforeAll}/{@code @AfterAll} into each sandbox. */
  private static void proceedUnlessClassIsolated(
      Invocation<Void> invocation, ExtensionContext context) throws Throwable {
    if (!inSandbox() && SandboxFeatures.SPEC_READER.isClassIsolated(context)) {
      invocation.skip();
    } else {
      invocation.proceed();
    }
  }

  private static void proceedUnlessMovedToSandbox(
      Invocation<Void> invocation, ExtensionContext context) throws Throwable {
    boolean factory =
        context.getTestMethod().map(m -> m.isAnnotationPresent(TestFactory.class)).orElse(false);
    if (!inSandbox() && !factory && SandboxFeatures.SPEC_READER.isSandboxed(context)) {
      invocation.skip();
    } else {
      invocation.proceed();
    }
  }

  private static void runIsolated(Invocation<Void> invocation, ExtensionContext context)
      throws Throwable {
    if (inSandbox()) {
      invocation.proceed(); // recursion guard: a sandboxed test never forks again
      return;
    }
    // Validation first: bad input fails the test before anything is started.
    SandboxSpec spec = SandboxFeatures.SPEC_READER.read(context);
    Configuration config = Configuration.from(context);
    invocation.skip();

    Optional<String> missing = PrivilegeProbe.missingPrivilege(config);
    if (missing.isPresent()) {
      String message = "nsjunit cannot create Linux namespaces here: " + missing.get();
      if (config.skipWhenUnprivileged()) {
        throw new TestAbortedException(message);
      }
      throw new SandboxFailedException(Reason.UNPRIVILEGED, message);
    }

    boolean[] ownsLab = {false};
    Optional<LabAccess> lab =
        spec.network().map(plan -> Labs.forTest(plan, context, config, ownsLab));
    try {
      runInSandbox(spec, config, context, lab, ownsLab[0]);
    } catch (SandboxFailedException e) {
      throw e.reason() == Reason.LIMITS_UNAVAILABLE
          ? LimitsUnavailable.report(e, context, config, testName(context))
          : e;
    } finally {
      if (ownsLab[0]) {
        lab.get().close(); // closed in the sandbox's teardown already (idempotent); this covers a
        // failure before it
      }
    }
  }

  private static void runInSandbox(
      SandboxSpec spec,
      Configuration config,
      ExtensionContext context,
      Optional<LabAccess> lab,
      boolean ownsLab)
      throws Throwable {
    // A result may be reported before its sandbox has exited: the class's end waits for the exit.
    ExitingSandboxes.Group exits =
        context
            .getParent()
            .orElse(context)
            .getStore(EXITING)
            .getOrComputeIfAbsent(
                ExitingSandboxes.Group.class,
                k -> new ExitingSandboxes.Group(),
                ExitingSandboxes.Group.class);
    OutputForwarder output = new OutputForwarder();
    SandboxRun run =
        new SandboxRun(
            spec,
            config,
            testClass(context),
            testName(context),
            context.getUniqueId(),
            ChildJUnitConfiguration.of(context),
            new SandboxRun.Listener() {
              @Override
              public void output(boolean stderr, byte[] bytes) {
                output.write(stderr, bytes);
              }

              @Override
              public void reportEntry(Map<String, String> entries) {
                context.publishReportEntry(entries);
              }
            },
            lab,
            ownsLab,
            exits);
    RunRecord record = run.run();
    output.flush();
    lab.ifPresent(
        l ->
            l.lab()
                .emulatedLinks()
                .forEach(
                    link -> context.publishReportEntry("nsjunit.emulated.link", link.toString())));
    record.usage().ifPresent(usage -> context.publishReportEntry(UsageEntries.of(usage)));
    Optional<Throwable> failure = Outcome.of(record, spec.expectOomKill(), testName(context));
    if (failure.isPresent()) {
      // A failure over an emulated link replays with the same seed: say which.
      lab.ifPresent(
          l ->
              l.lab()
                  .emulatedLinks()
                  .forEach(
                      link ->
                          System.err.println(
                              "nsjunit: "
                                  + testName(context)
                                  + " failed over an emulated link: "
                                  + link.replayHint())));
      throw failure.get();
    }
  }

  /** The class whose loader has the test's classes; a dynamic test's context has it on a parent. */
  private static Class<?> testClass(ExtensionContext context) {
    for (Optional<ExtensionContext> c = Optional.of(context);
        c.isPresent();
        c = c.get().getParent()) {
      if (c.get().getTestClass().isPresent()) {
        return c.get().getTestClass().get();
      }
    }
    return SandboxExtension.class;
  }

  static String testName(ExtensionContext context) {
    String cls = context.getTestClass().map(Class::getSimpleName).orElse("?");
    String method = context.getTestMethod().map(Method::getName).orElse("?");
    String name = cls + "." + method + "()";
    String display = context.getDisplayName();
    return display.equals(method + "()") ? name : name + " [" + display + "]";
  }
}
