package dev.nsjunit.internal.limits.cgroup;

import java.util.BitSet;

/** A CPU list in the kernel's format ("0-3,6"), as used by {@code cpuset.cpus}. */
record CpuList(BitSet cpus) {
  private static final int MAX_CPU = 8191;

  static CpuList parse(String text) {
    String trimmed = text.strip();
    BitSet cpus = new BitSet();
    if (trimmed.isEmpty()) {
      return new CpuList(cpus);
    }
    for (String part : trimmed.split(",")) {
      String[] range = part.strip().split("-", -1);
      if (range.length > 2) {
        throw invalid(text);
      }
      int from = number(range[0], text);
      int to = range.length == 2 ? number(range[1], text) : from;
      if (to < from) {
        throw invalid(text);
      }
      cpus.set(from, to + 1);
    }
    return new CpuList(cpus);
  }

  private static int number(String digits, String text) {
    String d = digits.strip();
    if (d.isEmpty() || d.length() > 4 || !d.chars().allMatch(Character::isDigit)) {
      throw invalid(text);
    }
    int n = Integer.parseInt(d);
    if (n > MAX_CPU) {
      throw invalid(text);
    }
    return n;
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "invalid CPU list \""
            + text
            + "\": expected CPU numbers and ranges like \"0-1\" or \"0,2\"");
  }

  boolean isEmpty() {
    return cpus.isEmpty();
  }

  boolean isSubsetOf(CpuList other) {
    BitSet rest = (BitSet) cpus.clone();
    rest.andNot(other.cpus);
    return rest.isEmpty();
  }

  /** The kernel's canonical form, e.g. "0-2,5". */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    for (int from = cpus.nextSetBit(0); from >= 0; ) {
      int to = cpus.nextClearBit(from) - 1;
      if (out.length() > 0) {
        out.append(',');
      }
      out.append(from);
      if (to > from) {
        out.append('-').append(to);
      }
      from = cpus.nextSetBit(to + 1);
    }
    return out.toString();
  }
}
