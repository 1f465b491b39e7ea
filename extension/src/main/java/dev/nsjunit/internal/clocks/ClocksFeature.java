package dev.nsjunit.internal.clocks;

import dev.nsjunit.ClockOffset;
import dev.nsjunit.internal.launcher.LauncherOption;
import dev.nsjunit.internal.namespaces.Namespace;
import dev.nsjunit.internal.run.SandboxFeature;
import dev.nsjunit.internal.run.SandboxSetup;
import dev.nsjunit.internal.spec.AnnotationChain;
import dev.nsjunit.internal.spec.Attribute;
import dev.nsjunit.internal.spec.DurationText;
import dev.nsjunit.internal.spec.SandboxSpec;
import java.lang.annotation.Annotation;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code @ClockOffset}: a time namespace whose CLOCK_MONOTONIC and CLOCK_BOOTTIME run ahead of (or
 * behind) the machine's; the nearest annotation wins.
 */
public final class ClocksFeature implements SandboxFeature {
  @Override
  public List<Class<? extends Annotation>> annotations() {
    return List.of(ClockOffset.class);
  }

  @Override
  public void read(AnnotationChain chain, SandboxSpec.Builder spec) {
    Optional<ClockOffset> clock = chain.nearest(ClockOffset.class);
    if (clock.isEmpty()) {
      return;
    }
    spec.namespaces.add(Namespace.TIME);
    Attribute monotonic = Attribute.of(ClockOffset.class, "monotonic");
    spec.monotonicOffset = DurationText.parseOffset(clock.get().monotonic(), monotonic);
    spec.boottimeOffset =
        DurationText.parseOffset(
            clock.get().boottime(), Attribute.of(ClockOffset.class, "boottime"));
    if (clock.get().monotonic().isEmpty() && clock.get().boottime().isEmpty()) {
      throw monotonic.invalid(
          "", "at least one of monotonic or boottime set to " + DurationText.SIGNED_FORM);
    }
  }

  @Override
  public void prepare(SandboxSetup setup) {
    SandboxSpec spec = setup.spec();
    if (!spec.monotonicOffset().isZero()) {
      setup.launcherOption(LauncherOption.MONOTONIC_OFFSET, seconds(spec.monotonicOffset()));
    }
    if (!spec.boottimeOffset().isZero()) {
      setup.launcherOption(LauncherOption.BOOTTIME_OFFSET, seconds(spec.boottimeOffset()));
    }
  }

  /**
   * Exact decimal seconds, as the launcher takes them: -250ms is "-0.250000000", never truncated.
   */
  static String seconds(Duration d) {
    Duration abs = d.abs();
    return (d.isNegative() ? "-" : "")
        + abs.getSeconds()
        + (abs.getNano() == 0 ? "" : String.format(".%09d", abs.getNano()));
  }
}
