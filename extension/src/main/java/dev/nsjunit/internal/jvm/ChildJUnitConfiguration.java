package dev.nsjunit.internal.jvm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The JUnit configuration parameters a sandbox's launcher gets: all those the parent's launcher was
 * given ({@link LaunchedTestPlans}), except the ones the child decides for itself, and except those
 * equal to a system property (the child gets system properties as such, and JUnit falls back to
 * them). Where no launcher plan is known, the Jupiter keys that change how a test runs.
 */
public final class ChildJUnitConfiguration {
  /** Jupiter keys asked for by name when the parent's launcher plan is not known. */
  private static final List<String> KNOWN_JUPITER_KEYS =
      List.of(
          "junit.jupiter.testinstance.lifecycle.default",
          "junit.jupiter.displayname.generator.default",
          "junit.jupiter.extensions.autodetection.enabled",
          "junit.jupiter.conditions.deactivate",
          "junit.jupiter.execution.timeout.default",
          "junit.jupiter.execution.timeout.mode",
          "junit.jupiter.execution.timeout.thread.mode.default",
          "junit.jupiter.execution.timeout.testable.method.default",
          "junit.jupiter.execution.timeout.test.method.default",
          "junit.jupiter.execution.timeout.testtemplate.method.default",
          "junit.jupiter.execution.timeout.testfactory.method.default",
          "junit.jupiter.execution.timeout.lifecycle.method.default",
          "junit.jupiter.execution.timeout.beforeall.method.default",
          "junit.jupiter.execution.timeout.beforeeach.method.default",
          "junit.jupiter.execution.timeout.aftereach.method.default",
          "junit.jupiter.execution.timeout.afterall.method.default",
          "junit.jupiter.params.displayname.default",
          "junit.jupiter.tempdir.cleanup.mode.default",
          "junit.jupiter.tempdir.scope",
          "junit.jupiter.methodorder.default",
          "junit.jupiter.classorder.default");

  /**
   * Keys the child must not take from the parent: it runs one test on one thread, without the
   * parent's listeners and reports (those would write the parent's report files again), and
   * nsjunit's own keys mean nothing inside a sandbox.
   */
  private static final List<String> NOT_FOR_THE_CHILD =
      List.of(
          "junit.jupiter.execution.parallel.",
          "junit.platform.reporting.",
          "junit.platform.output.",
          "junit.platform.execution.listeners.",
          "junit.platform.listeners.",
          "junit.platform.execution.dryRun.",
          "nsjunit.");

  private ChildJUnitConfiguration() {}

  public static Map<String, String> of(ExtensionContext context) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String key : KNOWN_JUPITER_KEYS) {
      context.getConfigurationParameter(key).ifPresent(v -> params.put(key, v));
    }
    Optional<Map<String, String>> launched = LaunchedTestPlans.parametersOf(context.getUniqueId());
    launched.ifPresent(
        all ->
            all.forEach(
                (key, value) -> {
                  if (NOT_FOR_THE_CHILD.stream().noneMatch(key::startsWith)
                      && !value.equals(System.getProperty(key))) {
                    params.put(key, value);
                  }
                }));
    return params;
  }
}
