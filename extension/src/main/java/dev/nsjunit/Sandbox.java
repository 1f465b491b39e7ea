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
 * The full sandbox in one annotation: a fresh pid namespace ({@link FreshPid}), a network namespace
 * with only loopback ({@link IsolatedNetns}), an IPC namespace ({@link IsolatedIpc}) and a UTS
 * namespace with {@link #hostname()} ({@link Hostname}), plus per-test options.
 *
 * <p>Combine it with {@link ClockOffset} to shift clocks. Usable on a test method, a test class and
 * as a meta-annotation (build your own {@code @ClusterNode} on top of it).
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@ExtendWith(SandboxExtension.class)
public @interface Sandbox {
  /**
   * Hostname inside the sandbox. The hostname nearest to the test wins, whether given here or by
   * {@link Hostname} (on the same element {@link Hostname} wins); empty (the default) gives none,
   * and a sandbox that has no hostname from anywhere is called {@code "sandbox"}.
   */
  String hostname() default "";

  /**
   * Hard limit for the whole sandbox (JVM start, test, teardown), for example {@code "30s"} or
   * {@code "5m"}; when it passes, the child's threads are dumped and the whole sandbox is killed.
   * Empty means the configuration parameter {@code nsjunit.timeout} (default {@code 10m}).
   */
  String timeout() default "";

  /** Extra options for the child JVM, one option per element, for example {@code "-Xmx64m"}. */
  String[] jvmArgs() default {};
}
