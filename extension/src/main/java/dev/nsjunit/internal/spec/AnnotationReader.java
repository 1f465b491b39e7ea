package dev.nsjunit.internal.spec;

import java.lang.annotation.Annotation;
import java.util.List;

/**
 * The reading half of a feature: its annotations, validated into the spec being built. Bad input
 * throws {@code ExtensionConfigurationException} (see {@link Attribute#invalid}) before anything is
 * started.
 */
public interface AnnotationReader {
  /** The annotations this feature owns: any of them makes a test isolated. */
  List<Class<? extends Annotation>> annotations();

  /** Reads this feature's annotations into {@code spec}; readers run in the pipeline's order. */
  void read(AnnotationChain chain, SandboxSpec.Builder spec);
}
