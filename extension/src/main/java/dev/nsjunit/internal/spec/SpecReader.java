package dev.nsjunit.internal.spec;

import dev.nsjunit.Sandbox;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Reads the nsjunit annotations that apply to one test into a validated {@link SandboxSpec}: each
 * feature reads its own annotations ({@link AnnotationReader}, in the pipeline's order); this class
 * reads only what belongs to the run as a whole ({@code @Sandbox}'s timeout and JVM options).
 *
 * <p>Annotations are looked up along the test's {@link AnnotationChain}. Where a value can only be
 * given once (hostname, timeout), the annotation nearest to the test wins.
 */
public final class SpecReader {
  private final List<AnnotationReader> features;
  private final List<Class<? extends Annotation>> annotations;

  public SpecReader(List<? extends AnnotationReader> features) {
    this.features = List.copyOf(features);
    List<Class<? extends Annotation>> all = new ArrayList<>(List.of(Sandbox.class));
    features.forEach(f -> all.addAll(f.annotations()));
    this.annotations = List.copyOf(all);
  }

  /** Whether any nsjunit annotation applies to this test (or class, for class contexts). */
  public boolean isSandboxed(ExtensionContext context) {
    return AnnotationChain.of(context).elements().stream().anyMatch(this::annotated);
  }

  /**
   * Whether an nsjunit annotation sits on a class of this context's chain (whole class isolated).
   */
  public boolean isClassIsolated(ExtensionContext context) {
    return isClassIsolated(AnnotationChain.of(context));
  }

  private boolean isClassIsolated(AnnotationChain chain) {
    return chain.elements().stream().anyMatch(e -> e instanceof Class && annotated(e));
  }

  private boolean annotated(AnnotatedElement element) {
    return annotations.stream().anyMatch(type -> AnnotationSupport.isAnnotated(element, type));
  }

  /** Reads and validates the spec; throws ExtensionConfigurationException on a bad value. */
  public SandboxSpec read(ExtensionContext context) {
    return read(AnnotationChain.of(context));
  }

  /** Whether any nsjunit annotation sits on the chain. */
  public boolean isSandboxed(AnnotationChain chain) {
    return chain.elements().stream().anyMatch(this::annotated);
  }

  /** The same for a chain read from a test plan ({@link AnnotationChain#of(List)}). */
  public SandboxSpec read(AnnotationChain chain) {
    SandboxSpec.Builder spec = new SandboxSpec.Builder(isClassIsolated(chain));
    for (AnnotationReader feature : features) {
      feature.read(chain, spec);
    }
    readRunOptions(chain, spec);
    return spec.build();
  }

  private static void readRunOptions(AnnotationChain chain, SandboxSpec.Builder spec) {
    for (AnnotatedElement element : chain.elements()) {
      Optional<Sandbox> sandbox = AnnotationSupport.findAnnotation(element, Sandbox.class);
      if (sandbox.isEmpty()) {
        continue;
      }
      Sandbox s = sandbox.get();
      if (spec.timeout.isEmpty() && !s.timeout().isEmpty()) {
        spec.timeout =
            Optional.of(
                DurationText.parsePositive(s.timeout(), Attribute.of(Sandbox.class, "timeout")));
      }
      List<String> args = new ArrayList<>();
      for (String arg : s.jvmArgs()) {
        if (arg.isBlank() || !arg.startsWith("-")) {
          throw Attribute.of(Sandbox.class, "jvmArgs")
              .invalid(
                  arg,
                  "JVM options, one per element, each starting with '-' (for example \"-Xmx64m\")");
        }
        args.add(arg);
      }
      // Outer annotations first, so options nearer to the test come later and win.
      spec.jvmArgs.addAll(0, args);
    }
  }
}
