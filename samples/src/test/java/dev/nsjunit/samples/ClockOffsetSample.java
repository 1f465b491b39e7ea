package dev.nsjunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.ClockOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The classic "breaks after 24.8 days of uptime" bug: a millisecond counter squeezed into an int.
 * With the monotonic clock moved 30 days ahead, the bug shows up in a unit test.
 */
class ClockOffsetSample {

  /** Buggy: overflows once System.nanoTime() passes 2^31 milliseconds (24.8 days). */
  static int uptimeMillisBuggy() {
    return (int) TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
  }

  static long uptimeMillisFixed() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
  }

  @Test
  @ClockOffset(monotonic = "+30d")
  void afterThirtyDaysTheIntCounterHasWrappedButTheLongHasNot() {
    assertThat(uptimeMillisFixed()).isGreaterThan(TimeUnit.DAYS.toMillis(30));
    assertThat((long) uptimeMillisBuggy()).isNotEqualTo(uptimeMillisFixed()); // the bug, reproduced
  }
}
