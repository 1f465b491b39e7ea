package dev.nsjunit.internal.spec;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The annotated elements that apply to one test, nearest first: the dynamic test, the method (or
 * template invocation), the test class, then every enclosing class of a {@code @Nested} class.
 * Meta-annotations and {@code @Inherited} class annotations count.
 */
public final class AnnotationChain {
  private final List<AnnotatedElement> nearestFirst;

  private AnnotationChain(List<AnnotatedElement> nearestFirst) {
    this.nearestFirst = Collections.unmodifiableList(nearestFirst);
  }

  public static AnnotationChain of(ExtensionContext context) {
    List<AnnotatedElement> result = new ArrayList<>();
    for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
      c.getElement()
          .ifPresent(
              e -> {
                if (!result.contains(e)) {
                  result.add(e);
                }
              });
    }
    return new AnnotationChain(result);
  }

  /**
   * The chain of a test that has not started yet, from the test plan: its method, then the classes
   * of its containers, nearest first (what {@link #of(ExtensionContext)} will see when it runs).
   */
  public static AnnotationChain of(List<? extends AnnotatedElement> nearestFirst) {
    return new AnnotationChain(new ArrayList<>(nearestFirst));
  }

  /** The elements, nearest to the test first. */
  public List<AnnotatedElement> elements() {
    return nearestFirst;
  }

  /** The annotation nearest to the test, where a value can only be given once. */
  public <A extends Annotation> Optional<A> nearest(Class<A> type) {
    return nearestWithElement(type).map(Found::annotation);
  }

  /** The nearest annotation and the element it sits on. */
  public <A extends Annotation> Optional<Found<A>> nearestWithElement(Class<A> type) {
    for (AnnotatedElement element : nearestFirst) {
      Optional<A> a = AnnotationSupport.findAnnotation(element, type);
      if (a.isPresent()) {
        return Optional.of(new Found<>(a.get(), element));
      }
    }
    return Optional.empty();
  }

  /** Whether the annotation sits anywhere on the chain. */
  public boolean has(Class<? extends Annotation> type) {
    return nearestFirst.stream().anyMatch(e -> AnnotationSupport.isAnnotated(e, type));
  }

  /** An annotation and where it was found. */
  public record Found<A extends Annotation>(A annotation, AnnotatedElement element) {}
}
