package dev.nsjunit.internal.lab;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the texts a user writes for link faults ("1mbit", "40ms", "2%") and checks ranges. Every
 * rejection is an IllegalArgumentException naming the field, the value and what is allowed.
 */
public final class FaultText {
  private static final Pattern RATE =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(bit|kbit|mbit|gbit|bps|kbps|mbps|gbps)");
  private static final Pattern DURATION = Pattern.compile("(-?\\d+(?:\\.\\d+)?)\\s*(us|ms|s)");
  private static final Pattern PERCENT = Pattern.compile("(-?\\d+(?:\\.\\d+)?)\\s*%?");

  private FaultText() {}

  /**
   * "1mbit" → 1000000; units as tc writes them: bit, kbit, mbit, gbit (bits/s), bps, kbps, mbps,
   * gbps (bytes/s).
   */
  public static long rateBitsPerSecond(String field, String text) {
    Matcher m = RATE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          field
              + "=\""
              + text
              + "\" is not a rate: write a number and one of bit, kbit,"
              + " mbit, gbit (bits per second) or bps, kbps, mbps, gbps (bytes per second), e.g. \"1mbit\"");
    }
    double v = Double.parseDouble(m.group(1));
    String unit = m.group(2);
    double factor =
        switch (unit.charAt(0)) {
          case 'k' -> 1e3;
          case 'm' -> 1e6;
          case 'g' -> 1e9;
          default -> 1;
        };
    if (unit.endsWith("bps")) {
      factor *= 8;
    }
    long bits = Math.round(v * factor);
    if (bits < 8) {
      throw new IllegalArgumentException(
          field + "=\"" + text + "\" is too slow: a rate must be at least 8bit");
    }
    return bits;
  }

  /** "40ms" → 40 ms; units us, ms, s. */
  public static Duration duration(String field, String text) {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          field
              + "=\""
              + text
              + "\" is not a duration: write a number and us, ms or s,"
              + " e.g. \"40ms\"");
    }
    double v = Double.parseDouble(m.group(1));
    long nanosPerUnit =
        switch (m.group(2)) {
          case "us" -> 1_000L;
          case "ms" -> 1_000_000L;
          default -> 1_000_000_000L;
        };
    Duration d = Duration.ofNanos(Math.round(v * nanosPerUnit));
    requireNonNegative(field, d);
    return d;
  }

  /** "2%" or "2" → 2.0; 0 to 100. */
  public static double percent(String field, String text) {
    Matcher m = PERCENT.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          field
              + "=\""
              + text
              + "\" is not a percentage: write a number from 0 to 100,"
              + " e.g. \"2%\"");
    }
    double p = Double.parseDouble(m.group(1));
    requirePercent(field, p);
    return p;
  }

  static void requireNonNegative(String field, Duration d) {
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException(
          field
              + "=\""
              + (d == null ? "null" : format(d))
              + "\" is negative: a "
              + field
              + " must be 0 or more, e.g. \"40ms\"");
    }
  }

  static void requirePercent(String field, double p) {
    if (!(p >= 0 && p <= 100)) {
      throw new IllegalArgumentException(
          field
              + "=\""
              + p
              + "%\" is out of range: a "
              + field
              + " percentage must be from 0% to 100%");
    }
  }

  static String format(Duration d) {
    long ns = d.toNanos();
    if (ns % 1_000_000 == 0) {
      return ns / 1_000_000 + "ms";
    }
    return ns / 1_000 + "us";
  }
}
