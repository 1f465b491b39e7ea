package dev.nsjunit.internal.lab;

import dev.nsjunit.internal.SandboxExtension;
import dev.nsjunit.internal.launcher.LauncherBinary;
import dev.nsjunit.internal.spec.Configuration;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * Network labs for tests: a fresh one per test for a method-level {@code @Topology}, one per class
 * for a class-level one (kept in the class's JUnit store, so it is closed when the class is done,
 * and shared by the class's tests even when they run concurrently).
 */
public final class Labs {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SandboxExtension.class, "network-lab");

  private Labs() {}

  /** The lab this test uses; {@code owned} is set when the caller must close it after the test. */
  public static LabAccess forTest(
      LabPlan plan, ExtensionContext context, Configuration config, boolean[] owned) {
    if (plan.sharedByClass().isEmpty()) {
      owned[0] = true;
      return start(plan, config);
    }
    Class<?> owner = plan.sharedByClass().get();
    ExtensionContext classContext = context;
    while (classContext.getElement().map(e -> e != owner).orElse(true)
        && classContext.getParent().isPresent()) {
      classContext = classContext.getParent().get();
    }
    SharedLab shared =
        classContext
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(owner, k -> new SharedLab(owner, plan, config), SharedLab.class);
    return shared.get();
  }

  /**
   * The lab of a class-level {@code @Topology} for a sandbox started ahead of its test: the lab the
   * class uses, or one built now that the class's first test adopts (see {@link ClassLabs}).
   */
  public static LabAccess forSandboxStartedAhead(LabPlan plan, Configuration config) {
    Class<?> owner =
        plan.sharedByClass()
            .orElseThrow(() -> new IllegalArgumentException("a test's own lab starts with it"));
    return ClassLabs.forSandboxStartedAhead(owner, () -> start(plan, config));
  }

  private static LabAccess start(LabPlan plan, Configuration config) {
    try {
      return LabAccess.start(plan.topology(), LauncherBinary.path(config), config.userns());
    } catch (NetemUnavailableException e) {
      if (config.skipWhenNetemMissing()) {
        throw new TestAbortedException(
            e.getMessage() + " (skipped: nsjunit.netem.missing=skip)", e);
      }
      throw e;
    }
  }

  /**
   * A class's lab, or why it could not be built (every test of the class then fails the same way).
   */
  @SuppressWarnings(
      "deprecation") // CloseableResource: the only store cleanup JUnit 5.10 to 5.12 know
  static final class SharedLab implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    private final Class<?> owner;
    private final LabAccess lab;
    private final RuntimeException failure;

    /** The lab built ahead for the class's waiting sandboxes, or a new one. */
    SharedLab(Class<?> owner, LabPlan plan, Configuration config) {
      this.owner = owner;
      LabAccess started = null;
      RuntimeException failed = null;
      try {
        started = ClassLabs.forClass(owner, () -> start(plan, config));
      } catch (RuntimeException e) {
        failed = e;
      }
      this.lab = started;
      this.failure = failed;
    }

    LabAccess get() {
      if (failure != null) {
        throw failure;
      }
      return lab;
    }

    @Override
    public synchronized void close() {
      if (lab != null) {
        ClassLabs.close(owner, lab);
      }
    }
  }
}
