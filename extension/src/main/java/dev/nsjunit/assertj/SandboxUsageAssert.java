package dev.nsjunit.assertj;

import dev.nsjunit.SandboxUsage;
import dev.nsjunit.internal.spec.Attribute;
import dev.nsjunit.internal.spec.SizeText;
import java.time.Duration;
import org.assertj.core.api.AbstractAssert;

/**
 * AssertJ assertions for {@link SandboxUsage}, for the common resource checks of a test: {@code
 * assertThat(SandboxUsage.current()).hasMemoryPeakBelow("48M").hasNoOomKills()}. Needs AssertJ on
 * the test classpath (nsjunit does not bring it).
 */
public final class SandboxUsageAssert extends AbstractAssert<SandboxUsageAssert, SandboxUsage> {

  private SandboxUsageAssert(SandboxUsage actual) {
    super(actual, SandboxUsageAssert.class);
  }

  public static SandboxUsageAssert assertThat(SandboxUsage actual) {
    return new SandboxUsageAssert(actual);
  }

  /** Peak memory strictly below a size such as {@code "48M"}. */
  public SandboxUsageAssert hasMemoryPeakBelow(String size) {
    isNotNull();
    long limit = SizeText.parse(size, new Attribute("hasMemoryPeakBelow", "size"));
    if (actual.memoryPeakBytes() >= limit) {
      failWithMessage(
          "Expected the sandbox's memory peak to be below %s but it was %s",
          SizeText.format(limit), SizeText.format(actual.memoryPeakBytes()));
    }
    return this;
  }

  public SandboxUsageAssert hasNoOomKills() {
    isNotNull();
    if (actual.oomKills() != 0) {
      failWithMessage(
          "Expected no OOM kill in the sandbox but the kernel killed %d process(es)",
          actual.oomKills());
    }
    return this;
  }

  /**
   * At most this many tasks at once (uses the peak where the kernel counts it, else the current
   * count).
   */
  public SandboxUsageAssert hasPidsAtMost(long max) {
    isNotNull();
    long seen = actual.pidsPeak().orElse(actual.pidsCurrent());
    if (seen > max) {
      failWithMessage("Expected at most %d tasks in the sandbox but saw %d", max, seen);
    }
    return this;
  }

  /** The cpus quota held the test back (it was CPU-starved). */
  public SandboxUsageAssert wasThrottled() {
    isNotNull();
    if (actual.throttledTime().isZero()) {
      failWithMessage(
          "Expected the sandbox to have been throttled by its cpus quota but it never was (CPU time %s)",
          actual.cpuTime());
    }
    return this;
  }

  public SandboxUsageAssert usedCpuLessThan(Duration max) {
    isNotNull();
    if (actual.cpuTime().compareTo(max) >= 0) {
      failWithMessage(
          "Expected the sandbox to use less than %s of CPU but it used %s", max, actual.cpuTime());
    }
    return this;
  }
}
