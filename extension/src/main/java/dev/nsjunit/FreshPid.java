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
 * Runs the test in its own process tree: a child JVM inside a new pid namespace, with a private
 * mount namespace and its own {@code /proc}.
 *
 * <p>Inside, {@code ProcessHandle.allProcesses()} shows only the sandbox's processes: PID 1 is the
 * nsjunit launcher (a reaper), the test's JVM is PID 2. Every process the test started and left
 * running is killed when the test ends, because the kernel kills a pid namespace whose PID 1 exits.
 *
 * <p>Every nsjunit annotation implies this one: a fresh pid namespace is what guarantees that
 * nothing a sandboxed test starts outlives it.
 *
 * <p>Usable on a test method, a test class (every test in it, {@code @Nested} classes included) and
 * as a meta-annotation. See {@code docs/user-guide.md}.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@ExtendWith(SandboxExtension.class)
public @interface FreshPid {}
