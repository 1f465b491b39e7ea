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
 * Runs the test in a new UTS namespace whose hostname is {@link #value()}.
 *
 * <p>{@code InetAddress.getLocalHost().getHostName()} and {@code uname -n} report it inside. The
 * value must be a valid host name: 1 to 64 characters, letters, digits, '-' and '.', not starting
 * or ending with '-' or '.'. The annotation nearest to the test wins (method over class). Also
 * gives the test a fresh pid namespace (see {@link FreshPid}).
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@ExtendWith(SandboxExtension.class)
public @interface Hostname {
  /** The hostname inside the sandbox, for example {@code "node-1"}. */
  String value();
}
