package dev.nsjunit;

import dev.nsjunit.internal.SandboxExtension;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Resource limits (setrlimit) set by the launcher before the child JVM starts, so "Too many open
 * files" or a failing thread start can be reproduced. Each value sets both the soft and the hard
 * limit; -1 (the default) leaves a limit as inherited.
 *
 * <p>Note that the JVM itself needs descriptors and threads: {@code nofile} below about 32 or
 * {@code nproc} below about 30 stops the child JVM before the test starts (the failure says so).
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@ExtendWith(SandboxExtension.class)
public @interface Rlimit {
  /** RLIMIT_NOFILE: open file descriptors. */
  long nofile() default -1;

  /** RLIMIT_NPROC: processes and threads of the user (counted machine-wide for that user!). */
  long nproc() default -1;

  /** RLIMIT_CORE: core dump size in bytes (0 disables core dumps). */
  long core() default -1;
}
