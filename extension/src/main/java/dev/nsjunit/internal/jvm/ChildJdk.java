package dev.nsjunit.internal.jvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JDK a child JVM runs ({@code nsjunit.java} or this JVM's own), as far as class-data sharing
 * needs it: its feature version decides the archive's kind (AppCDS before 25, an AOT cache from
 * 25), and its identity is part of the archive's key, so two JDKs never share one archive.
 *
 * <p>Found without starting a JVM: the {@code release} file of the JDK the java executable belongs
 * to ({@code <real path of java>/../../release}, {@code JAVA_VERSION="25.0.3"}). Once per java path
 * and JVM; a JDK whose version cannot be read gets no sharing, said once on stderr.
 *
 * @param home the JDK's directory (its real path for another JDK; {@code java.home} for this one)
 * @param feature the feature version: 17, 21, 25, ...
 * @param identity what distinguishes this JDK in an archive's key
 */
record ChildJdk(Path home, int feature, String identity) {
  private static final Map<String, Optional<ChildJdk>> byJava = new ConcurrentHashMap<>();

  /**
   * This JVM's JDK. Its identity is the one archive keys have always used, so archives made before
   * the child's JDK was looked at stay valid.
   */
  static ChildJdk thisJvm() {
    return new ChildJdk(
        Path.of(System.getProperty("java.home")),
        Runtime.version().feature(),
        System.getProperty("java.home") + "|" + System.getProperty("java.vm.version"));
  }

  /** The JDK of the java executable {@code java}, or empty (said once on stderr) if unknown. */
  static Optional<ChildJdk> of(String java) {
    return byJava.computeIfAbsent(java, ChildJdk::lookUp);
  }

  private static Optional<ChildJdk> lookUp(String java) {
    Path home;
    try {
      Path real = Path.of(java).toRealPath();
      Path bin = real.getParent();
      if (bin == null
          || bin.getParent() == null
          || !bin.getFileName().toString().equals("bin")) { // a wrapper script, say
        return unknown(java, real + " is not in a JDK's bin directory");
      }
      home = bin.getParent();
      if (home.equals(Path.of(System.getProperty("java.home")).toRealPath())) {
        return Optional.of(thisJvm());
      }
    } catch (IOException | RuntimeException e) {
      return unknown(java, "cannot resolve its real path (" + e + ")");
    }
    Path release = home.resolve("release");
    String text;
    try {
      text = Files.readString(release, StandardCharsets.ISO_8859_1); // ASCII; never malformed
    } catch (IOException | RuntimeException e) {
      return unknown(java, "cannot read " + release + " (" + e + ")");
    }
    OptionalInt feature = featureOf(text);
    if (feature.isEmpty()) {
      return unknown(java, release + " has no JAVA_VERSION=\"<version>\" line nsjunit can parse");
    }
    // The whole release file: a JDK updated in place (same directory, new build) gets new archives.
    return Optional.of(new ChildJdk(home, feature.getAsInt(), home + "|" + text.strip()));
  }

  private static Optional<ChildJdk> unknown(String java, String why) {
    System.err.println(
        "nsjunit: child JVMs run "
            + java
            + " (nsjunit.java) without class-data sharing: nsjunit cannot tell its JDK's version: "
            + why
            + ". nsjunit.cds=false silences this.");
    return Optional.empty();
  }

  /**
   * The feature version in a JDK's {@code release} file: {@code JAVA_VERSION="25.0.3"} is 25,
   * {@code "17"} is 17, {@code "1.8.0_402"} is 8; empty without such a line or with a value that is
   * not a version.
   */
  static OptionalInt featureOf(String releaseFile) {
    for (String line : releaseFile.split("\\R")) {
      String l = line.strip();
      if (!l.startsWith("JAVA_VERSION=")) {
        continue;
      }
      String value = l.substring("JAVA_VERSION=".length()).strip();
      if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
        value = value.substring(1, value.length() - 1).strip();
      }
      if (value.startsWith("1.")) {
        value = value.substring(2); // 1.8.0_402: the feature is the second number
      }
      int end = 0;
      while (end < value.length() && Character.isDigit(value.charAt(end))) {
        end++;
      }
      if (end == 0 || end > 4 || (end < value.length() && ".+-_".indexOf(value.charAt(end)) < 0)) {
        return OptionalInt.empty();
      }
      int feature = Integer.parseInt(value.substring(0, end));
      return feature > 0 ? OptionalInt.of(feature) : OptionalInt.empty();
    }
    return OptionalInt.empty();
  }
}
