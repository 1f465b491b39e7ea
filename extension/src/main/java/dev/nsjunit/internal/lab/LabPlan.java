package dev.nsjunit.internal.lab;

import java.util.Objects;
import java.util.Optional;

/**
 * The lab part of a sandbox ({@code @Topology}): the topology, the host the test runs on, and who
 * owns the lab: the annotated class (one lab for all its tests) or nobody (a fresh lab for this
 * test).
 *
 * <p>Plans of a class's lab are equal when they name the same class and host: every test of the
 * class uses the one lab the class has, whatever else its reading of the annotation holds (an
 * emulated link's random seed is drawn at each reading). So a sandbox started ahead in that lab
 * fits any of the class's tests on its host.
 */
public record LabPlan(TopologySpec topology, String host, Optional<Class<?>> sharedByClass) {
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof LabPlan other)) {
      return false;
    }
    if (sharedByClass.isPresent() || other.sharedByClass.isPresent()) {
      return sharedByClass.equals(other.sharedByClass) && host.equals(other.host);
    }
    return topology.equals(other.topology) && host.equals(other.host);
  }

  @Override
  public int hashCode() {
    return sharedByClass.isPresent()
        ? Objects.hash(sharedByClass, host)
        : Objects.hash(topology, host);
  }
}
