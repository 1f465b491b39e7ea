package dev.nsjunit.internal.namespaces;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The effective capabilities of this JVM, from {@code /proc/self/status}: the launcher it starts
 * inherits them, and decides on a user namespace by the same bit (CAP_SYS_ADMIN).
 */
public final class Capabilities {
  public static final int CAP_SYS_RESOURCE = 24;
  public static final int CAP_SYS_ADMIN = 21;

  private Capabilities() {}

  public static boolean effective(int capability) {
    return effective(capability, Path.of("/proc/self/status"));
  }

  public static boolean effective(int capability, Path status) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("CapEff:")) {
          return new BigInteger(line.substring(7).trim(), 16).testBit(capability);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // no procfs: assume the least
    }
    return false;
  }
}
