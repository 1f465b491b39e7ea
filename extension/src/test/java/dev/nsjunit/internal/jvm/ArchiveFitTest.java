package dev.nsjunit.internal.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The note that lets a test JVM skip checking an archive an earlier one checked: it holds only
 * while the archive's bytes and the JDK's files are the ones it was written for.
 */
class ArchiveFitTest {
  @TempDir Path dir;

  /** A JDK's layout as far as the note looks: lib/modules and lib/server. */
  private Path jdk() throws Exception {
    Path home = dir.resolve("jdk");
    Files.createDirectories(home.resolve("lib/server"));
    Files.writeString(home.resolve("lib/modules"), "modules");
    Files.writeString(home.resolve("lib/server/libjvm.so"), "jvm");
    Files.writeString(home.resolve("lib/server/classes.jsa"), "base archive");
    return home;
  }

  private Path archive(String content) throws Exception {
    Path archive = dir.resolve("0123456789abcdef01234567.jsa");
    Files.writeString(archive, content);
    return archive;
  }

  @Test
  void aNotedArchiveIsKnownToFitAfterItsUseIsRecorded() throws Exception {
    Path jdk = jdk();
    Path archive = archive("archive bytes");
    assertThat(ArchiveFit.known(archive, jdk)).as("before any note").isFalse();
    ArchiveFit.record(archive, jdk);
    assertThat(ArchiveFit.noteOf(archive)).isRegularFile();
    assertThat(ArchiveFit.known(archive, jdk)).isTrue();
    // ArchiveCache.markUsed touches the archive: its time is its last use, not its content.
    Files.setLastModifiedTime(archive, FileTime.from(Instant.now().plusSeconds(60)));
    assertThat(ArchiveFit.known(archive, jdk)).as("after the archive was touched").isTrue();
  }

  @Test
  void otherBytesUnderTheSameNameAreCheckedAgain() throws Exception {
    Path jdk = jdk();
    Path archive = archive("archive bytes");
    ArchiveFit.record(archive, jdk);
    Files.writeString(archive, "archive bytez"); // same size, same name
    assertThat(ArchiveFit.known(archive, jdk)).isFalse();
  }

  @Test
  void aJdkChangedInPlaceIsCheckedAgain() throws Exception {
    Path jdk = jdk();
    Path archive = archive("archive bytes");
    ArchiveFit.record(archive, jdk);
    Path base = jdk.resolve("lib/server/classes.jsa");
    Files.setLastModifiedTime(base, FileTime.from(Instant.now().plusSeconds(60)));
    assertThat(ArchiveFit.known(archive, jdk)).as("base archive regenerated").isFalse();

    ArchiveFit.record(archive, jdk);
    Files.writeString(jdk.resolve("lib/server/libjsig.so"), "a file more");
    assertThat(ArchiveFit.known(archive, jdk)).as("a file added to lib/server").isFalse();

    ArchiveFit.record(archive, jdk);
    Files.writeString(jdk.resolve("lib/modules"), "modules, rebuilt");
    assertThat(ArchiveFit.known(archive, jdk)).as("runtime image changed").isFalse();
  }

  @Test
  void aJdkOfAnotherLayoutGetsNoNoteAndIsAlwaysChecked() throws Exception {
    Path home = dir.resolve("not-a-jdk");
    Files.createDirectories(home);
    Path archive = archive("archive bytes");
    ArchiveFit.record(archive, home);
    assertThat(ArchiveFit.noteOf(archive)).doesNotExist();
    assertThat(ArchiveFit.known(archive, home)).isFalse();
    try (var files = Files.list(dir)) {
      assertThat(files)
          .as("nothing half-written left")
          .noneMatch(f -> f.toString().endsWith(".tmp"));
    }
  }

  @Test
  void theNoteOfThisJdkNamesItsRealFiles() throws Exception {
    Path archive = archive("archive bytes");
    Path home = Path.of(System.getProperty("java.home"));
    assertThat(ArchiveFit.facts(archive, home))
        .hasValueSatisfying(
            text ->
                assertThat(text)
                    .contains("jdk lib/modules ")
                    .contains("jdk lib/server/libjvm.so ")
                    .contains("archive 13 "));
  }

  @Test
  void aNoteWhoseArchiveIsGoneIsPrunedWithIt() throws Exception {
    Path jdk = jdk();
    Path kept = archive("archive bytes");
    Path gone = dir.resolve("fedcba9876543210fedcba98.jsa");
    Files.writeString(gone, "other archive");
    ArchiveFit.record(kept, jdk);
    ArchiveFit.record(gone, jdk);
    Files.delete(gone);
    Path warmUp = dir.resolve("nsjunit-cds-warmup-000000000000.jar");
    assertThat(ArchiveCache.prune(dir, warmUp, Instant.now()))
        .containsExactly(ArchiveFit.noteOf(gone));
    assertThat(ArchiveFit.noteOf(kept)).isRegularFile();
  }
}
