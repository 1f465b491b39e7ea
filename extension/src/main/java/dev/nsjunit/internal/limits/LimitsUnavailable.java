package dev.nsjunit.internal.limits;

import dev.nsjunit.SandboxFailedException;
import dev.nsjunit.SandboxFailedException.Reason;
import dev.nsjunit.internal.spec.Configuration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * A test asked for cgroup limits that cannot be applied here. Such a test never runs without its
 * limits: it fails (or, with {@code nsjunit.unprivileged=skip}, is skipped) and the others run. The
 * long explanation, with the fix for the place detected, is given once per test class; the class's
 * other limited tests point to the first one instead of repeating it.
 */
public final class LimitsUnavailable {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(LimitsUnavailable.class);

  private LimitsUnavailable() {}

  public static RuntimeException report(
      SandboxFailedException failure, ExtensionContext context, Configuration config, String test) {
    if (config.skipWhenUnprivileged()) {
      return new TestAbortedException(
          failure.getMessage() + " (skipped: nsjunit.unprivileged=skip)", failure);
    }
    @SuppressWarnings("unchecked")
    Map<String, String> firstTestByReason =
        classContext(context)
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(
                "reported", k -> new ConcurrentHashMap<String, String>(), Map.class);
    // the same reason, whichever test's group name it mentions
    String reason = failure.getMessage().replaceAll("nsjunit-\\d+-\\d+-\\d+", "nsjunit-<test>");
    String first = firstTestByReason.putIfAbsent(reason, test);
    if (first == null) {
      return failure;
    }
    return new SandboxFailedException(
        Reason.LIMITS_UNAVAILABLE,
        "the cgroup limits of this test could not be applied, so it was not started: for the same reason as "
            + first
            + " in this class (its failure says why and how to fix it)");
  }

  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext c = context;
    while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
      c = c.getParent().get();
    }
    return c;
  }
}
