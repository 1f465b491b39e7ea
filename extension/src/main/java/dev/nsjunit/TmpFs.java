package dev.nsjunit;

import dev.nsjunit.internal.SandboxExtension;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A private, size-limited tmpfs mounted at {@link #path()} in the test's mount namespace: writing
 * past {@link #size()} fails with "No space left on device" inside the test only, the way a full
 * disk does. The directory is created if missing; the host never sees the mount. Repeatable.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Repeatable(TmpFs.List.class)
@ExtendWith(SandboxExtension.class)
public @interface TmpFs {
  /** Absolute mount point, for example {@code "/data"}. */
  String path();

  /** Size with an optional binary suffix K, M, G: {@code "8M"}. */
  String size();

  /** Container of repeated {@link TmpFs}. */
  @Documented
  @Inherited
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
  @ExtendWith(SandboxExtension.class)
  @interface List {
    TmpFs[] value();
  }
}
