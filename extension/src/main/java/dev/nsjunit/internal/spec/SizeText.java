package dev.nsjunit.internal.spec;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as users write them: "64M", "512K", "1G", "1048576" (binary units: K = 1024). */
public final class SizeText {
  static final String FORM =
      "a size in bytes: digits with an optional binary suffix K, M or G (for example \"64M\", \"512K\", \"1G\")";

  private static final Pattern SIZE = Pattern.compile("(\\d{1,15})([KMGkmg]?)");

  private SizeText() {}

  /** Parses a strictly positive size. */
  public static long parse(String text, Attribute attribute) {
    long bytes = parseAllowingZero(text, attribute);
    if (bytes == 0) {
      throw attribute.invalid(text, FORM + ", greater than zero");
    }
    return bytes;
  }

  /** Parses a size that may be zero. */
  public static long parseAllowingZero(String text, Attribute attribute) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw attribute.invalid(text, FORM);
    }
    long n = Long.parseLong(m.group(1));
    int shift;
    switch (m.group(2).toUpperCase()) {
      case "K":
        shift = 10;
        break;
      case "M":
        shift = 20;
        break;
      case "G":
        shift = 30;
        break;
      default:
        shift = 0;
    }
    if (n > (Long.MAX_VALUE >> shift)) {
      throw attribute.invalid(text, FORM + ", at most 8E");
    }
    return n << shift;
  }

  /** "64 MiB", "1.5 GiB", "512 KiB", "100 bytes". */
  public static String format(long bytes) {
    if (bytes >= (1L << 30)) {
      return trim(bytes / (double) (1L << 30)) + " GiB";
    }
    if (bytes >= (1L << 20)) {
      return trim(bytes / (double) (1L << 20)) + " MiB";
    }
    if (bytes >= 1024) {
      return trim(bytes / 1024.0) + " KiB";
    }
    return bytes + " bytes";
  }

  private static String trim(double v) {
    String s = String.format(java.util.Locale.ROOT, "%.1f", v);
    return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
  }
}
