package dev.nsjunit.internal.spec;

import dev.nsjunit.Sandbox;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
  private final Set<Class<? extends Annotation>> annotationSet;

  /** Per annotation type: whether one of ours is it or meta-present on it. */
  private final Map<Class<? extends Annotation>, Boolean> leadsToOurs = new ConcurrentHashMap<>();

  public SpecReader(List<? extends AnnotationReader> features) {
    this.features = List.copyOf(features);
    List<Class<? extends Annotation>> all = new ArrayList<>(List.of(Sandbox.class));
    features.forEach(f -> all.addAll(f.annotations()));
    this.annotations = List.copyOf(all);
    this.annotationSet = Set.copyOf(all);
  }

  /** The annotation types that make a test isolated. */
  public List<Class<? extends Annotation>> annotationTypes() {
    return annotations;
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
    return mayCarryOurs(element)
        && annotations.stream().anyMatch(type -> AnnotationSupport.isAnnotated(element, type));
  }

  /**
   * A quick check that rules out an element none of whose annotations can be or carry one of ours:
   * every test method and class of a run is asked (the extension's plan listeners read the whole
   * plan), nearly all of them ordinary, and JUnit's search for each of our annotation types in turn
   * cost a run of one ordinary test some 35 ms of CPU in a fresh JVM. It looks wherever that search
   * can find one (declared, meta-present, a class's superclasses and interfaces), so it never rules
   * out what the search would find.
   */
  private boolean mayCarryOurs(AnnotatedElement element) {
    if (anyLeadsToOurs(element.getDeclaredAnnotations())) {
      return true;
    }
    if (element instanceof Class<?> cls) {
      for (Class<?> c = cls; c != null && c != Object.class; c = c.getSuperclass()) {
        if (c != cls && anyLeadsToOurs(c.getDeclaredAnnotations())) {
          return true;
        }
        for (Class<?> ifc : c.getInterfaces()) {
          if (mayCarryOurs(ifc)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private boolean anyLeadsToOurs(Annotation[] present) {
    for (Annotation a : present) {
      Class<? extends Annotation> type = a.annotationType();
      Boolean known = leadsToOurs.get(type);
      if (known == null) {
        known = leadsToOurs(type, new HashSet<>());
        leadsToOurs.put(type, known);
      }
      if (known) {
        return true;
      }
    }
    return false;
  }

  private boolean leadsToOurs(Class<? extends Annotation> type, Set<Class<?>> visited) {
    if (annotationSet.contains(type)) {
      return true;
    }
    if (!visited.add(type)) {
      return false; // a cycle of meta-annotations (@Documented is on itself)
    }
    for (Annotation meta : type.getDeclaredAnnotations()) {
      if (leadsToOurs(meta.annotationType(), visited)) {
        return true;
      }
    }
    return false;
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
