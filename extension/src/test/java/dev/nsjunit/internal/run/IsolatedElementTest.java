package dev.nsjunit.internal.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.CgroupLimit;
import dev.nsjunit.FreshPid;
import dev.nsjunit.internal.spec.AnnotationChain;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Whether an element is isolated is asked of every test and class of a run, so the spec reader
 * rules out most of them with a quick look at their annotations first; that look must never rule
 * out an element JUnit's own search finds one of nsjunit's annotations on.
 */
class IsolatedElementTest {
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
  @FreshPid
  @interface Composed {}

  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.TYPE, ElementType.METHOD})
  @Composed
  @interface ComposedTwice {}

  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
  @CycleB
  @interface CycleA {}

  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
  @CycleA
  @interface CycleB {}

  static class Methods {
    @Test
    @ComposedTwice
    void composedTwice() {}

    @Test
    @CgroupLimit(memory = "64M")
    void direct() {}

    @Test
    @Tag("plain")
    @Deprecated
    void plain() {}
  }

  @Composed
  static class ComposedBase {}

  /** {@code @Composed} is not {@code @Inherited}: JUnit still finds FreshPid (inherited) on it. */
  static class SubOfComposed extends ComposedBase {}

  @FreshPid
  interface MarkedInterface {}

  static class ImplementsMarked implements MarkedInterface {}

  static class SubOfImplementsMarked extends ImplementsMarked {}

  @CycleA
  static class CyclicButPlain {}

  static class Plain {}

  @Test
  void theQuickLookAgreesWithJUnitsSearchOnEveryKindOfPlacement() throws Exception {
    List<AnnotatedElement> elements = new ArrayList<>();
    for (String m : List.of("composedTwice", "direct", "plain")) {
      elements.add(Methods.class.getDeclaredMethod(m));
    }
    elements.addAll(
        List.of(
            ComposedBase.class,
            SubOfComposed.class,
            ImplementsMarked.class,
            SubOfImplementsMarked.class,
            CyclicButPlain.class,
            Plain.class,
            Methods.class));
    List<String> isolated = new ArrayList<>();
    for (AnnotatedElement e : elements) {
      boolean junitFinds =
          SandboxFeatures.SPEC_READER.annotationTypes().stream()
              .anyMatch(type -> AnnotationSupport.isAnnotated(e, type));
      boolean read = SandboxFeatures.SPEC_READER.isSandboxed(AnnotationChain.of(List.of(e)));
      assertThat(read).as("%s", e).isEqualTo(junitFinds);
      if (read) {
        isolated.add(
            e instanceof Class<?> c ? c.getSimpleName() : ((java.lang.reflect.Method) e).getName());
      }
    }
    // And the fixtures cover both answers where they should.
    assertThat(isolated)
        .containsExactly(
            "composedTwice",
            "direct",
            "ComposedBase",
            "SubOfComposed",
            "ImplementsMarked",
            "SubOfImplementsMarked");
  }
}
