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
 * The test passes if and only if the kernel OOM-killed a process in its sandbox (the test's JVM or
 * a process it started). Needs a {@link CgroupLimit#memory()}; the message of a test that was not
 * killed gives the limit and the peak usage, so you can see how far away it was.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@ExtendWith(SandboxExtension.class)
public @interface ExpectOomKill {}
