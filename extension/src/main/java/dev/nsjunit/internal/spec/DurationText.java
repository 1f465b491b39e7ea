package dev.nsjunit.internal.spec;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as users write them in annotations and configuration: "+30d", "-2h", "90s", "1500ms".
 */
public final class DurationText {
  public static final String SIGNED_FORM =
      "a signed duration: an optional sign, digits and a unit (d, h, m, s, ms), for example \"+30d\", \"-2h\", \"90s\"";
  static final String POSITIVE_FORM =
      "a positive duration: digits and a unit (d, h, m, s, ms), for example \"30s\", \"5m\"";

  private static final Pattern FORM = Pattern.compile("([+-]?)(\\d{1,12})(ms|d|h|m|s)");

  private DurationText() {}

  /** Parses a signed offset such as {@code "+30d"}; the empty string is zero. */
  public static Duration parseOffset(String text, Attribute attribute) {
    if (text.isEmpty()) {
      return Duration.ZERO;
    }
    Matcher m = FORM.matcher(text.trim());
    if (!m.matches()) {
      throw attribute.invalid(text, SIGNED_FORM);
    }
    Duration d = unit(Long.parseLong(m.group(2)), m.group(3));
    return m.group(1).equals("-") ? d.negated() : d;
  }

  /** Parses a strictly positive duration such as {@code "30s"}. */
  public static Duration parsePositive(String text, Attribute attribute) {
    Matcher m = FORM.matcher(text.trim());
    if (!m.matches() || m.group(1).equals("-")) {
      throw attribute.invalid(text, POSITIVE_FORM);
    }
    Duration d = unit(Long.parseLong(m.group(2)), m.group(3));
    if (d.isZero()) {
      throw attribute.invalid(text, POSITIVE_FORM);
    }
    return d;
  }

  private static Duration unit(long amount, String unit) {
    switch (unit) {
      case "d":
        return Duration.ofDays(amount);
      case "h":
        return Duration.ofHours(amount);
      case "m":
        return Duration.ofMinutes(amount);
      case "s":
        return Duration.ofSeconds(amount);
      default:
        return Duration.ofMillis(amount);
    }
  }

  /** Short human form for messages: "30s", "1500ms", "10m". */
  public static String format(Duration d) {
    if (d.toMillis() % 60_000 == 0 && !d.isZero()) {
      return d.toMinutes() + "m";
    }
    if (d.toMillis() % 1000 == 0) {
      return d.toSeconds() + "s";
    }
    return d.toMillis() + "ms";
  }
}
