package dev.nsjunit.internal.run;

import java.io.PrintStream;

/**
 * Writes the sandbox's stdout and stderr to this JVM's System.out/System.err, from the test's own
 * thread, so build tools (Surefire captures per test) attribute it to the test. Both the child's
 * Java output and raw native writes to fd 1/2 arrive this way: the child's descriptors are pipes.
 */
public final class OutputForwarder {
  public void write(boolean stderr, byte[] bytes) {
    PrintStream target = stderr ? System.err : System.out;
    target.write(bytes, 0, bytes.length);
    target.flush();
  }

  public void flush() {
    System.out.flush();
    System.err.flush();
  }
}
