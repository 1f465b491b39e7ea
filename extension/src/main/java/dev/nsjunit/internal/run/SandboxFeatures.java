package dev.nsjunit.internal.run;

import dev.nsjunit.internal.clocks.ClocksFeature;
import dev.nsjunit.internal.lab.LabFeature;
import dev.nsjunit.internal.limits.LimitsFeature;
import dev.nsjunit.internal.namespaces.NamespacesFeature;
import dev.nsjunit.internal.spec.SpecReader;
import java.util.List;

/** The features, in the order they read their annotations and prepare a sandbox. */
public final class SandboxFeatures {
  /**
   * Namespaces first: the lab replaces the network namespace they ask for; limits add the cgroup
   * one.
   */
  public static final List<SandboxFeature> ALL =
      List.of(new NamespacesFeature(), new ClocksFeature(), new LimitsFeature(), new LabFeature());

  /** Reads a test's spec with every feature. */
  public static final SpecReader SPEC_READER = new SpecReader(ALL);

  private SandboxFeatures() {}
}
