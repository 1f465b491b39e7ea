package dev.nsjunit.bench;

import java.util.Arrays;
import java.util.List;

/**
 * Spread of one measurement, in milliseconds: min, p25, median, p75, max and n. Percentiles are
 * linearly interpolated between the sorted samples (p50 of an even n is the mean of the middle
 * two).
 */
public record Stats(int n, double min, double p25, double median, double p75, double max) {

  public static Stats ofNanos(List<Long> nanos) {
    double[] ms = new double[nanos.size()];
    for (int i = 0; i < ms.length; i++) {
      ms[i] = nanos.get(i) / 1e6;
    }
    return ofMillis(ms);
  }

  public static Stats ofMillis(double[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no samples");
    }
    double[] v = values.clone();
    Arrays.sort(v);
    return new Stats(
        v.length,
        v[0],
        percentile(v, 0.25),
        percentile(v, 0.5),
        percentile(v, 0.75),
        v[v.length - 1]);
  }

  static double percentile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = (int) Math.ceil(pos);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  }
}
