package dev.nsjunit.internal.lab;

import java.time.Duration;

/**
 * What netem does to the packets leaving one end of a link. Percentages are 0 to 100. Applied to
 * both ends of a link, so a 40 ms delay adds 80 ms to a round trip.
 */
public record Netem(
    Duration delay,
    Duration jitter,
    double lossPercent,
    double duplicatePercent,
    double reorderPercent,
    double corruptPercent) {
  public static final Netem NONE = new Netem(Duration.ZERO, Duration.ZERO, 0, 0, 0, 0);

  public Netem {
    FaultText.requireNonNegative("delay", delay);
    FaultText.requireNonNegative("jitter", jitter);
    FaultText.requirePercent("loss", lossPercent);
    FaultText.requirePercent("duplicate", duplicatePercent);
    FaultText.requirePercent("reorder", reorderPercent);
    FaultText.requirePercent("corrupt", corruptPercent);
    if (jitter.compareTo(delay) > 0) {
      throw new IllegalArgumentException(
          "jitter=\""
              + FaultText.format(jitter)
              + "\" is larger than delay=\""
              + FaultText.format(delay)
              + "\": jitter must be at most the delay");
    }
    if (reorderPercent > 0 && delay.isZero()) {
      throw new IllegalArgumentException(
          "reorder=\""
              + reorderPercent
              + "%\" needs a delay: netem reorders by letting "
              + "some packets skip the delay; set delay to more than 0 ms");
    }
  }

  public boolean isNone() {
    return equals(NONE);
  }

  public Netem withDelay(Duration d) {
    return new Netem(d, jitter, lossPercent, duplicatePercent, reorderPercent, corruptPercent);
  }

  public Netem withJitter(Duration d) {
    return new Netem(delay, d, lossPercent, duplicatePercent, reorderPercent, corruptPercent);
  }

  public Netem withLoss(double percent) {
    return new Netem(delay, jitter, percent, duplicatePercent, reorderPercent, corruptPercent);
  }

  public Netem withDuplicate(double percent) {
    return new Netem(delay, jitter, lossPercent, percent, reorderPercent, corruptPercent);
  }

  public Netem withReorder(double percent) {
    return new Netem(delay, jitter, lossPercent, duplicatePercent, percent, corruptPercent);
  }

  public Netem withCorrupt(double percent) {
    return new Netem(delay, jitter, lossPercent, duplicatePercent, reorderPercent, percent);
  }

  @Override
  public String toString() {
    return "netem delay "
        + FaultText.format(delay)
        + " jitter "
        + FaultText.format(jitter)
        + " loss "
        + lossPercent
        + "% duplicate "
        + duplicatePercent
        + "% reorder "
        + reorderPercent
        + "% corrupt "
        + corruptPercent
        + "%";
  }
}
