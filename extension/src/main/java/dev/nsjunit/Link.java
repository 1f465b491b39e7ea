package dev.nsjunit;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A link of a {@link Topology}: a veth pair between two hosts, or a LAN (bridge) between more, with
 * faults declared up front. Empty attributes mean "none". {@code rate} is a token bucket (works on
 * every kernel); {@code delay}, {@code jitter}, {@code loss}, {@code duplicate}, {@code reorder}
 * and {@code corrupt} need the kernel's netem ({@code sch_netem}); where it is missing the test
 * fails (or is skipped with {@code nsjunit.netem.missing=skip}) with a message naming the module.
 * An {@link #emulated()} link applies them in user space instead, on any kernel, from a seed.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface Link {
  /** The hosts this link joins: two for a cable, more for a LAN. */
  String[] between();

  /** Bandwidth, for example {@code "1mbit"}, {@code "500kbit"}, {@code "10mbit"}. */
  String rate() default "";

  /** One-way delay added on each side, for example {@code "40ms"} (netem). */
  String delay() default "";

  /** Delay variation, for example {@code "5ms"}; needs a delay (netem). */
  String jitter() default "";

  /** Packet loss, for example {@code "2%"} (netem). */
  String loss() default "";

  /** Duplicated packets, for example {@code "1%"} (netem). */
  String duplicate() default "";

  /** Reordered packets, for example {@code "25%"}; needs a delay (netem). */
  String reorder() default "";

  /** Corrupted packets, for example {@code "0.1%"} (netem). */
  String corrupt() default "";

  /**
   * An emulated link instead of a veth pair: two TUN devices with a relay in the test JVM that
   * applies {@link #delay()}, {@link #jitter()}, {@link #loss()}, {@link #duplicate()}, {@link
   * #reorder()} and {@link #corrupt()} itself, drawn from a random source seeded with {@link
   * #seed()}. Works on kernels without netem, and the same seed drops, delays and reorders the same
   * packets (by their order in each direction), so a failing pattern replays exactly. Two hosts
   * only.
   */
  boolean emulated() default false;

  /**
   * Seed of an {@link #emulated()} link; -1 picks one at random. The seed is printed when a test
   * fails.
   */
  long seed() default -1;
}
