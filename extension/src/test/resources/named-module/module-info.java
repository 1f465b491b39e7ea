/** A test module that requires nsjunit: JUnit and nsjunit on the module path too. */
open module com.example.mt {
  requires dev.nsjunit;
  requires org.junit.jupiter.api;
  requires org.junit.platform.launcher;
  requires org.junit.platform.engine;
}
