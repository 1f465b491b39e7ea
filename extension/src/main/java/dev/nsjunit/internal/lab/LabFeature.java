package dev.nsjunit.internal.lab;

import dev.nsjunit.Link;
import dev.nsjunit.OnHost;
import dev.nsjunit.Topology;
import dev.nsjunit.internal.launcher.LauncherOption;
import dev.nsjunit.internal.namespaces.Namespace;
import dev.nsjunit.internal.run.SandboxFeature;
import dev.nsjunit.internal.run.SandboxSetup;
import dev.nsjunit.internal.spec.AnnotationChain;
import dev.nsjunit.internal.spec.Attribute;
import dev.nsjunit.internal.spec.SandboxSpec;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * Network labs: a test with {@code @Topology} runs on one of the lab's hosts ({@code @OnHost}, or
 * the first host), in that host's network namespace, which the lab's holder keeps. The lab itself
 * is started by {@link Labs} (per test, or per class in JUnit's store).
 */
public final class LabFeature implements SandboxFeature {
  @Override
  public List<Class<? extends Annotation>> annotations() {
    return List.of(Topology.class, OnHost.class);
  }

  /**
   * Runs after the namespaces feature: a lab host replaces the empty network namespace it asked
   * for.
   */
  @Override
  public void read(AnnotationChain chain, SandboxSpec.Builder spec) {
    Optional<AnnotationChain.Found<Topology>> topology = chain.nearestWithElement(Topology.class);
    Optional<String> onHost = chain.nearest(OnHost.class).map(OnHost::value);
    if (topology.isEmpty()) {
      if (onHost.isPresent()) {
        throw Attribute.of(OnHost.class, "value")
            .invalid(onHost.get(), "a host of a @Topology on the test or its class (none found)");
      }
      return;
    }
    TopologySpec topologySpec = topologySpec(topology.get().annotation());
    String host = onHost.orElse(topologySpec.hosts().get(0));
    if (!topologySpec.hosts().contains(host)) {
      throw Attribute.of(OnHost.class, "value")
          .invalid(host, "one of the hosts of @Topology: " + topologySpec.hosts());
    }
    Optional<Class<?>> sharedByClass =
        topology.get().element() instanceof Class<?> c ? Optional.of(c) : Optional.empty();
    spec.network = Optional.of(new LabPlan(topologySpec, host, sharedByClass));
    // The test joins its host's network namespace instead of getting an empty one.
    spec.namespaces.remove(Namespace.NET);
    spec.namespaces.add(Namespace.UTS);
    if (spec.hostname.isEmpty()) {
      spec.hostname = Optional.of(host);
    }
  }

  @Override
  public void prepare(SandboxSetup setup) {
    Optional<LabPlan> plan = setup.spec().network();
    if (plan.isPresent() && setup.lab().isPresent()) {
      LabAccess lab = setup.lab().get();
      setup.launcherOption(
          LauncherOption.JOIN_HOLDER, lab.lab().holderSocket(plan.get().host()).toString());
      setup.launcherOption(LauncherOption.BIND_RO, lab.hostsFile() + ":/etc/hosts");
    }
  }

  static TopologySpec topologySpec(Topology t) {
    List<LinkSpec> links = new ArrayList<>();
    try {
      for (Link l : t.links()) {
        LinkSpec link = LinkSpec.between(l.between());
        if (l.emulated()) {
          link = link.emulated(l.seed() == -1 ? new Random().nextLong() : l.seed());
        }
        if (!l.rate().isEmpty()) link = link.rate(l.rate());
        if (!l.delay().isEmpty()) link = link.delay(l.delay());
        if (!l.jitter().isEmpty()) link = link.jitter(l.jitter());
        if (!l.loss().isEmpty()) link = link.loss(l.loss());
        if (!l.duplicate().isEmpty()) link = link.duplicate(l.duplicate());
        if (!l.reorder().isEmpty()) link = link.reorder(l.reorder());
        if (!l.corrupt().isEmpty()) link = link.corrupt(l.corrupt());
        links.add(link);
      }
      return new TopologySpec(List.of(t.hosts()), links, t.subnet());
    } catch (IllegalArgumentException e) {
      // The network layer names the field, the value and what is allowed.
      throw new ExtensionConfigurationException("@Topology is invalid: " + e.getMessage(), e);
    }
  }
}
