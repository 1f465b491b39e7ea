package dev.nsjunit.internal.jvm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * What a test JVM remembers of an archive it saw fit, so that the next test JVM need not start a
 * JVM to check it again.
 *
 * <p>An archive from an earlier run is checked before children get it ({@code java -Xshare:on
 * -version}, or {@code -XX:AOTMode=on}): an archive that does not fit makes every child print the
 * JDK's warning into the test's output. That check is a JVM start, 120 to 150 ms here, on the first
 * test's path in every test JVM: an IDE's run of one test, each build fork. Whether the archive
 * fits depends on its own bytes, on the JDK that maps it (its JVM library, its base archive and
 * runtime image) and on the jars and module options it was made with, which its name (its key)
 * already covers. So once the check passed, a note beside the archive ({@code <archive>.fits})
 * records a checksum of the archive and the size and time of the JDK's files; a later JVM that
 * finds the same facts uses the archive without the check. Anything changed, unreadable or missing
 * means the check runs again.
 */
final class ArchiveFit {
  private static final String VERSION = "nsjunit archive fit 1";

  private ArchiveFit() {}

  /** The note beside {@code archive}. */
  static Path noteOf(Path archive) {
    return archive.resolveSibling(archive.getFileName() + ".fits");
  }

  /** Whether a JVM found {@code archive} fit for {@code jdkHome} and nothing has changed since. */
  static boolean known(Path archive, Path jdkHome) {
    Path note = noteOf(archive);
    if (!Files.isRegularFile(note)) {
      return false;
    }
    try {
      Optional<String> now = facts(archive, jdkHome);
      return now.isPresent() && now.get().equals(Files.readString(note, StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Notes that {@code archive} was found fit for {@code jdkHome}: written whole or not at all. */
  static void record(Path archive, Path jdkHome) {
    Path note = noteOf(archive);
    Path partial =
        note.resolveSibling(note.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
    try {
      Optional<String> facts = facts(archive, jdkHome);
      if (facts.isEmpty()) {
        return;
      }
      Files.writeString(partial, facts.get(), StandardCharsets.UTF_8);
      Files.move(
          partial, note, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      forget(partial); // only a check saved; the next JVM checks again
    }
  }

  /** Removes {@code note} (a note, or one half-written), if it is there. */
  static void forget(Path note) {
    try {
      Files.deleteIfExists(note);
    } catch (IOException ignored) {
      // a stale note names facts that no longer hold: it is never taken for a fit
    }
  }

  /**
   * The archive's size and CRC-32C (its whole content: 6 MiB for AppCDS, about 20 MiB for an AOT
   * cache; a few ms, the pages then being in memory for the children that map them), and the size
   * and modification time of the JDK's runtime image ({@code lib/modules}) and of every file in its
   * JVM directory ({@code lib/server}: the JVM library and its base archives). Empty if the JDK's
   * layout is not that one.
   */
  static Optional<String> facts(Path archive, Path jdkHome) throws IOException {
    Path server = jdkHome.resolve("lib/server");
    Path modules = jdkHome.resolve("lib/modules");
    if (!Files.isDirectory(server) || !Files.isRegularFile(modules)) {
      return Optional.empty();
    }
    StringBuilder text = new StringBuilder(VERSION).append('\n');
    CRC32C crc = new CRC32C();
    byte[] buffer = new byte[1 << 16];
    long size = 0;
    try (InputStream in = Files.newInputStream(archive)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        crc.update(buffer, 0, n);
        size += n;
      }
    }
    text.append("archive ").append(size).append(' ').append(Long.toHexString(crc.getValue()));
    text.append('\n');
    List<Path> jdkFiles = new ArrayList<>(List.of(modules));
    try (DirectoryStream<Path> files = Files.newDirectoryStream(server)) {
      files.forEach(jdkFiles::add);
    }
    jdkFiles.sort(null);
    for (Path f : jdkFiles) {
      text.append("jdk ")
          .append(jdkHome.relativize(f))
          .append(' ')
          .append(Files.size(f))
          .append(' ')
          .append(Files.getLastModifiedTime(f).toMillis())
          .append('\n');
    }
    return Optional.of(text.toString());
  }
}
