/**
 * nsjunit. The API is {@code dev.nsjunit} (the annotations and what a test uses) and {@code
 * dev.nsjunit.assertj}; everything below {@code dev.nsjunit.internal} is exported only to what must
 * reach it reflectively.
 */
module dev.nsjunit {
  requires transitive org.junit.jupiter.api;
  requires org.junit.platform.launcher;
  requires org.jnrproject.ffi;
  requires org.objectweb.asm; // lambda call sites rewritten for JDK 17 children
  requires org.objectweb.asm.tree;
  requires java.management; // the test JVM's input arguments, which the child inherits
  requires static org.assertj.core;

  exports dev.nsjunit;
  exports dev.nsjunit.assertj;
  // JUnit instantiates the extension every annotation names.
  exports dev.nsjunit.internal to
      org.junit.platform.commons;
  // jnr-ffi implements LibC in a class loader of its own (an unnamed module): this export cannot be
  // qualified. It holds only the libc binding.
  exports dev.nsjunit.internal.ffi;

  // The child runs one test with the engines on its path.
  uses org.junit.platform.engine.TestEngine;

  provides org.junit.platform.launcher.TestExecutionListener with
      dev.nsjunit.internal.jvm.LaunchedTestPlans,
      dev.nsjunit.internal.run.UpcomingTests;
}
