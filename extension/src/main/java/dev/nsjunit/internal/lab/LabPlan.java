package dev.nsjunit.internal.lab;

import java.util.Optional;

/**
 * The lab part of a sandbox ({@code @Topology}): the topology, the host the test runs on, and who
 * owns the lab: the annotated class (one lab for all its tests) or nobody (a fresh lab for this
 * test).
 */
public record LabPlan(TopologySpec topology, String host, Optional<Class<?>> sharedByClass) {}
