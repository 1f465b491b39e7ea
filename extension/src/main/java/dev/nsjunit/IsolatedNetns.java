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
 * Runs the test in a new network namespace that holds only a loopback interface, up.
 *
 * <p>Two such tests can bind the same port at the same time, and nothing listening on the host
 * (including the host's own loopback services) is reachable from inside. Also gives the test a
 * fresh pid namespace (see {@link FreshPid}).
 *
 * <p>Usable on a test method, a test class and as a meta-annotation. See {@code
 * docs/user-guide.md}.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@ExtendWith(SandboxExtension.class)
public @interface IsolatedNetns {}
