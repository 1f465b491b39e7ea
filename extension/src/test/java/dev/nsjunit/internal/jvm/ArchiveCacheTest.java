package dev.nsjunit.internal.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The archive cache's cleanup, on real files with chosen modification times. */
class ArchiveCacheTest {

  @Test
  void aCleanupRemovesWhatIsUnusedForAWeekBeyondTheMostRecentAndHalfWrittenFilesOfGoneWriters(
      @TempDir Path dir) throws Exception {
    Instant now = Instant.now();
    long self = ProcessHandle.current().pid();
    Process ended = new ProcessBuilder("true").start();
    ended.waitFor();
    long gone = ended.pid();

    List<Path> kept = new ArrayList<>();
    List<Path> removed = new ArrayList<>();
    // Used within the hour: kept even beyond the most recent 24 (a running JVM may hand them out).
    for (int i = 0; i < ArchiveCache.MOST_ARCHIVES + 2; i++) {
      kept.add(file(dir, "recent" + i + ".jsa", now.minus(Duration.ofMinutes(i))));
    }
    // Older than an hour and beyond the most recent 24: removed.
    for (int i = 0; i < 3; i++) {
      removed.add(file(dir, "older" + i + ".aot", now.minus(Duration.ofHours(2 + i))));
    }
    removed.add(file(dir, "unused.jsa", now.minus(Duration.ofDays(8))));
    // Half-written: by a live process kept, by a gone one removed (with an older version's log).
    kept.add(file(dir, "k.jsa." + self + ".tmp", now));
    removed.add(file(dir, "k.jsa." + gone + ".tmp", now));
    removed.add(file(dir, "k.jsa." + gone + ".tmp.log", now));
    // Warm-up jars: the current one is kept however old (archives check its time).
    Path current = file(dir, "nsjunit-cds-warmup-aaaaaaaaaaaa.jar", now.minus(Duration.ofDays(30)));
    kept.add(current);
    kept.add(file(dir, "nsjunit-cds-warmup-bbbbbbbbbbbb.jar", now.minus(Duration.ofDays(1))));
    removed.add(file(dir, "nsjunit-cds-warmup-cccccccccccc.jar", now.minus(Duration.ofDays(8))));
    kept.add(file(dir, "someone-elses.txt", now.minus(Duration.ofDays(100))));

    List<Path> result = ArchiveCache.prune(dir, current, now);

    assertThat(result).containsExactlyInAnyOrderElementsOf(removed);
    assertThat(removed).allSatisfy(f -> assertThat(f).doesNotExist());
    assertThat(kept).allSatisfy(f -> assertThat(f).exists());
  }

  @Test
  void usingAnArchiveFromAnEarlierRunMovesItToTheFrontOfTheCleanupsOrder(@TempDir Path dir)
      throws Exception {
    Instant now = Instant.now();
    Path old = file(dir, "old.jsa", now.minus(Duration.ofDays(8)));
    ArchiveCache.markUsed(old);
    assertThat(ArchiveCache.prune(dir, dir.resolve("none.jar"), Instant.now())).isEmpty();
    assertThat(old).exists();
  }

  private static Path file(Path dir, String name, Instant modified) throws Exception {
    Path f = Files.writeString(dir.resolve(name), name);
    Files.setLastModifiedTime(f, FileTime.from(modified));
    return f;
  }
}
