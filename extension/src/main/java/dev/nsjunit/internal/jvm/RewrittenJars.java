package dev.nsjunit.internal.jvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.jar.JarFile;

/**
 * The copies of JUnit's, opentest4j's and nsjunit's jars whose lambdas are classes ({@link
 * LambdaClasses}), kept in the class-data cache next to the archives made with them.
 *
 * <p>Only these libraries are rewritten: they are what a child runs to start JUnit, and the test's
 * own code and its dependencies stay exactly as the user built them. A copy's name carries a hash
 * of its source jar's path, size and time and of the rewriting's version, so a rebuilt jar gets a
 * new copy and no archive made with an old one matches. Copies are written once, before the dump
 * that archives them, and never touched afterwards (an archive checks its jars' times); a {@code
 * .used} file next to each records its last use, and a copy unused for {@link
 * ArchiveCache#UNUSED_FOR} goes in {@link #prune}.
 */
final class RewrittenJars {
  /** Part of every copy's name: a change to what {@link LambdaClasses} writes gets new copies. */
  static final String VERSION = "4";

  private static final String PREFIX = "nsjunit-lambdas-";
  private static final List<String> LIBRARIES =
      List.of("junit-platform-", "junit-jupiter-", "opentest4j-");
  private static final String NSJUNIT_CHILD_CLASS =
      dev.nsjunit.internal.child.ChildMain.class.getName().replace('.', '/') + ".class";

  private RewrittenJars() {}

  /**
   * {@code jars} with each library jar replaced by its copy's path in {@code cache} (which may not
   * exist yet: {@link #write} makes it).
   */
  static List<String> forChild(List<String> jars, Path cache) {
    List<String> result = new ArrayList<>(jars.size());
    for (String jar : jars) {
      Path p = Path.of(jar);
      result.add(isLibrary(p) ? copyOf(p, cache).toString() : jar);
    }
    return result;
  }

  /** Whether {@code jar} is a copy made here. */
  static boolean isCopy(Path jar) {
    return jar.getFileName().toString().startsWith(PREFIX);
  }

  /**
   * Makes every copy in {@code childJars} that is missing, from its source in {@code sourceJars}
   * (the same order), and records the use of the others. A jar that cannot be rewritten (a class
   * file too new for the rewriter, a signed jar) is copied as it is: the child then runs it as the
   * JDK would.
   */
  static void write(List<String> sourceJars, List<String> childJars) throws IOException {
    for (int i = 0; i < childJars.size(); i++) {
      Path copy = Path.of(childJars.get(i));
      if (!isCopy(copy)) {
        continue;
      }
      Path used = copy.resolveSibling(copy.getFileName() + ".used");
      if (!Files.isRegularFile(copy)) {
        Path source = Path.of(sourceJars.get(i));
        Path partial =
            copy.resolveSibling(copy.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
          if (isSigned(source)) {
            Files.copy(source, partial, StandardCopyOption.REPLACE_EXISTING);
          } else {
            LambdaClasses.rewriteJar(source, partial);
          }
        } catch (IOException | RuntimeException cannot) {
          Files.copy(source, partial, StandardCopyOption.REPLACE_EXISTING);
        }
        install(partial, copy);
      }
      touch(used);
    }
  }

  /**
   * Puts {@code partial} in place unless another JVM did first: a copy is never replaced, since an
   * archive made with it checks its time, and two test JVMs of one build may write the same copy at
   * once. A hard link fails when the name exists; where links are not possible, a rename.
   */
  private static void install(Path partial, Path copy) throws IOException {
    try {
      Files.createLink(copy, partial);
    } catch (java.nio.file.FileAlreadyExistsException another) {
      // the other JVM's copy stays
    } catch (IOException | UnsupportedOperationException noLinks) {
      if (!Files.exists(copy)) {
        Files.move(partial, copy, StandardCopyOption.ATOMIC_MOVE);
      }
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  /**
   * Whether every copy in {@code childJars} exists, recording their use: a JVM that takes an
   * archive made by an earlier run checks this once, so copies in use are never older than a week,
   * and an archive whose copies are gone is made again with new ones instead of starting children
   * without JUnit.
   */
  static boolean presentAndUsed(List<String> childJars) {
    for (String jar : childJars) {
      Path copy = Path.of(jar);
      if (isCopy(copy)) {
        if (!Files.isRegularFile(copy)) {
          return false;
        }
        touch(copy.resolveSibling(copy.getFileName() + ".used"));
      }
    }
    return true;
  }

  /** Removes copies (and their {@code .used} files) unused since {@code before}. */
  static List<Path> prune(Path cache, Instant before) {
    List<Path> removed = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(cache, PREFIX + "*.jar")) {
      for (Path copy : files) {
        Path used = copy.resolveSibling(copy.getFileName() + ".used");
        Path stamp = Files.exists(used) ? used : copy;
        if (Files.getLastModifiedTime(stamp).toInstant().isBefore(before)) {
          Files.deleteIfExists(used);
          if (Files.deleteIfExists(copy)) {
            removed.add(copy);
          }
        }
      }
    } catch (IOException | java.nio.file.DirectoryIteratorException e) {
      // housekeeping must never fail a test
    }
    return removed;
  }

  private static boolean isLibrary(Path jar) {
    String name = jar.getFileName().toString();
    if (!name.endsWith(".jar")) {
      return false;
    }
    if (LIBRARIES.stream().anyMatch(name::startsWith)) {
      return true;
    }
    // nsjunit's own jar, by what it holds: the user's jars may be named nsjunit-something too.
    if (name.startsWith("nsjunit")) {
      try (JarFile file = new JarFile(jar.toFile())) {
        return file.getEntry(NSJUNIT_CHILD_CLASS) != null;
      } catch (IOException e) {
        return false;
      }
    }
    return false;
  }

  private static Path copyOf(Path source, Path cache) {
    String identity;
    try {
      identity =
          source
              + "|"
              + Files.size(source)
              + "|"
              + Files.getLastModifiedTime(source).toMillis()
              + "|"
              + VERSION;
    } catch (IOException e) {
      identity = source + "|" + VERSION;
    }
    String hash;
    try {
      hash =
          HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256")
                      .digest(identity.getBytes(StandardCharsets.UTF_8)))
              .substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return cache.resolve(PREFIX + hash + "-" + source.getFileName());
  }

  /** Every signed jar holds a signature file, {@code META-INF/<signer>.SF}, whatever its key. */
  private static boolean isSigned(Path jar) {
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.stream()
          .anyMatch(e -> e.getName().startsWith("META-INF/") && e.getName().endsWith(".SF"));
    } catch (IOException e) {
      return true; // unreadable here: leave it to the copy as it is
    }
  }

  private static void touch(Path used) {
    try {
      if (!Files.exists(used)) {
        Files.createFile(used);
      } else {
        Files.setLastModifiedTime(used, FileTime.from(Instant.now()));
      }
    } catch (IOException e) {
      // only the cleanup's order depends on it
    }
  }
}
