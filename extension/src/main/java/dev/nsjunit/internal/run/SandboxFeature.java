package dev.nsjunit.internal.run;

import dev.nsjunit.internal.spec.AnnotationReader;
import java.io.IOException;

/**
 * One kind of isolation (namespaces, clocks, limits, network lab), as the run pipeline sees it: it
 * reads its annotations into the spec, and for each sandbox it checks what it can before anything
 * starts, creates its resources (each registered with the teardown the moment it exists) and adds
 * its options to the launcher's command. A new feature is a package with one of these, added to
 * {@link SandboxFeatures#ALL}.
 */
public interface SandboxFeature extends AnnotationReader {
  /**
   * Prepares this feature's part of one sandbox; a problem throws {@code SandboxFailedException}.
   */
  void prepare(SandboxSetup setup) throws IOException;
}
