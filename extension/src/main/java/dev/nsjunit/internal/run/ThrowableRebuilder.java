package dev.nsjunit.internal.run;

import dev.nsjunit.SandboxedException;
import dev.nsjunit.internal.channel.ThrowableData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import org.opentest4j.TestAbortedException;

/**
 * Turns an exception that crossed the channel back into a Throwable: the real object when its
 * serialized form can be read with the test's class loader, else a {@link SandboxedException} with
 * the same class name, message, stack, causes and suppressed exceptions.
 */
public final class ThrowableRebuilder {
  /**
   * Bounds for reading a serialized exception: it comes from the user's own test, but may be
   * garbage.
   */
  private static final ObjectInputFilter LIMITS =
      ObjectInputFilter.Config.createFilter(
          "maxdepth=64;maxrefs=100000;maxbytes=16777216;maxarray=1000000");

  private ThrowableRebuilder() {}

  public static Throwable rebuild(ThrowableData data) {
    if (data.serialized() != null) {
      Throwable real = deserialize(data.serialized());
      // JUnit rethrows an OutOfMemoryError as unrecoverable and ends the whole run; the parent's
      // heap is fine, only the sandbox ran out, so it is reported through the placeholder.
      if (real != null && !(real instanceof OutOfMemoryError)) {
        return real;
      }
    }
    return placeholder(data);
  }

  /**
   * Like {@link #rebuild} but an aborted test stays aborted even if its exception cannot be
   * rebuilt.
   */
  public static Throwable rebuildAborted(ThrowableData data) {
    Throwable t = rebuild(data);
    if (t instanceof TestAbortedException) {
      return t;
    }
    return new TestAbortedException(data.message(), t);
  }

  private static SandboxedException placeholder(ThrowableData data) {
    SandboxedException e = new SandboxedException(data.className(), data.message());
    e.setStackTrace(data.stackTrace().toArray(new StackTraceElement[0]));
    if (data.cause() != null) {
      e.initCause(rebuildNested(data.cause()));
    }
    for (ThrowableData s : data.suppressed()) {
      e.addSuppressed(rebuildNested(s));
    }
    return e;
  }

  private static Throwable rebuildNested(ThrowableData data) {
    // Causes are not serialized separately (the top-level bytes carry them when they can).
    return placeholder(data);
  }

  private static Throwable deserialize(byte[] bytes) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    try (ObjectInputStream in =
        new LoaderObjectInputStream(new ByteArrayInputStream(bytes), loader)) {
      in.setObjectInputFilter(LIMITS);
      Object o = in.readObject();
      return o instanceof Throwable ? (Throwable) o : null;
    } catch (Exception | LinkageError e) {
      return null; // class missing or different here: the placeholder tells the same story
    }
  }

  private static final class LoaderObjectInputStream extends ObjectInputStream {
    private final ClassLoader loader;

    LoaderObjectInputStream(InputStream in, ClassLoader loader) throws IOException {
      super(in);
      this.loader = loader;
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc)
        throws IOException, ClassNotFoundException {
      if (loader != null) {
        try {
          return Class.forName(desc.getName(), false, loader);
        } catch (ClassNotFoundException e) {
          // fall back to the default resolution
        }
      }
      return super.resolveClass(desc);
    }
  }
}
