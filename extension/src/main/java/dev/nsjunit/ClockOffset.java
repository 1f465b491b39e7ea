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
 * Runs the test in a new time namespace whose monotonic and boot-time clocks are shifted.
 *
 * <p>{@code System.nanoTime()} (CLOCK_MONOTONIC) moves by {@link #monotonic()}, and {@code
 * /proc/uptime} and CLOCK_BOOTTIME move by {@link #boottime()}: useful for code that misbehaves
 * when a machine has been up for a long time (counter overflow, 49.7-day bugs).
 *
 * <p><b>The wall clock cannot move:</b> Linux time namespaces do not virtualize CLOCK_REALTIME, so
 * {@code System.currentTimeMillis()} and {@code Instant.now()} are unchanged. Inject a {@code
 * java.time.Clock} for wall-clock tests.
 *
 * <p>Values are signed durations: {@code "+30d"}, {@code "-2h"}, {@code "90s"}, {@code "1500ms"}
 * (units d, h, m, s, ms). A clock cannot be moved below zero: a negative offset larger than the
 * machine's uptime is refused by the kernel. Needs Linux 5.6 or later. Also gives the test a fresh
 * pid namespace (see {@link FreshPid}).
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@ExtendWith(SandboxExtension.class)
public @interface ClockOffset {
  /** Offset of CLOCK_MONOTONIC, for example {@code "+30d"}; empty means none. */
  String monotonic() default "";

  /** Offset of CLOCK_BOOTTIME, for example {@code "+30d"}; empty means none. */
  String boottime() default "";
}
