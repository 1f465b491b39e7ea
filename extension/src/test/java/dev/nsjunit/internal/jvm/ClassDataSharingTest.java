package dev.nsjunit.internal.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.FreshPid;
import dev.nsjunit.testing.TestJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Class-data sharing: the classpath it builds, and what happens with a bad archive. */
class ClassDataSharingTest {

  @Test
  void aCorruptArchiveIsCaughtReplacedAndNeverFailsATest() throws Exception {
    // The archive the fixture JVM (same JDK, same classpath) will look for: garbage.
    Path archive = ClassDataSharing.archiveFor(System.getProperty("java.class.path"));
    Files.deleteIfExists(archive);
    Files.writeString(archive, "garbage, not an archive");
    for (int run = 0; run < 2; run++) {
      Process p = TestJvm.fixture(Cases.class, List.of(), "fixture.archive=" + archive).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(out)
          .contains("test first() SUCCESSFUL")
          .contains("test second() SUCCESSFUL")
          .contains("test third() SUCCESSFUL");
      if (run == 0) {
        assertThat(out)
            .as("the bad archive is reported, not silently ignored")
            .contains("does not fit this JDK and classpath");
      }
    }
    assertThat(Files.size(archive))
        .as("the garbage was replaced by a real archive")
        .isGreaterThan(1 << 20);
  }

  static class Cases {
    /**
     * The fixture JVM dumps the new archive in the background while this test runs, and moves it
     * into place when the dump ends, if it is still alive: this test keeps it alive until then.
     */
    @org.junit.jupiter.api.Test
    @FreshPid
    void first() throws Exception {
      Path archive = Path.of(System.getProperty("fixture.archive"));
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (!(Files.isRegularFile(archive)
          && Files.size(archive) > 1 << 20)) { // moved in atomically, never removed
        if (System.nanoTime() > deadline) {
          throw new AssertionError("no class-data sharing archive at " + archive + " within 120 s");
        }
        Thread.sleep(20);
      }
    }

    @org.junit.jupiter.api.Test
    @FreshPid
    void second() {}

    @org.junit.jupiter.api.Test
    @FreshPid
    void third() {}
  }
}
