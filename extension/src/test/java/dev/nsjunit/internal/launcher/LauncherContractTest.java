package dev.nsjunit.internal.launcher;



import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status file is the contract between the launcher (C, status_file.c) and this side
 * ({@link LauncherStatus}): the real binary writes each of its five forms, and each is read back
 * as what it means. A launcher that changes a word or a number fails here, not in a user's report.
 */
class LauncherContractTest {
  @TempDir Path dir;

  private Path launcher() throws Exception {
    Path p = Path.of(LauncherBinary.class.getResource(LauncherBinary.RESOURCE).toURI());
    assertThat(p).as("the launcher built into this module's classes").isExecutable();
    return p;
  }

  /** Runs the launcher with a status file; STDIN is written (may be null: nothing), then closed. */
  private LauncherStatus run(String stdin, String... program) throws Exception {
    Path status = dir.resolve("status-" + System.nanoTime());
    List<String> cmd = new ArrayList<>(List.of(launcher().toString(), "--pid", "--status-file", status.toString(), "--"));
    cmd.addAll(List.of(program));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try (OutputStream in = p.getOutputStream()) {
      // stdin is the launcher's line to its parent: EOF means the parent died. Held open until
      // the program has ended by itself, unless this run is about what the parent writes there.
      if (stdin == null) {
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("the launcher ended").isTrue();
      } else {
        // only once the program runs: before that, EOF or "stop" would end the launcher's setup instead
        long end = System.currentTimeMillis() + 10_000;
        while (p.descendants().noneMatch(d -> d.info().commandLine().orElse("").contains("sleep 600"))
            && System.currentTimeMillis() < end) {
          Thread.sleep(10);
        }
        in.write(stdin.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      }
    }
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("the launcher ended").isTrue();
    assertThat(status).as("the status file").exists();
    return LauncherStatus.read(status).orElseThrow(() -> new AssertionError("unreadable status: " + read(status)));
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (Exception e) {
      return e.toString();
    }
  }

  @Test
  void everyFormOfTheStatusFileIsReadAsWhatItMeans() throws Exception {
    LauncherStatus exit = run(null, "/bin/sh", "-c", "exit 3");
    assertThat(exit.kind()).isEqualTo(LauncherStatus.Kind.EXIT);
    assertThat(exit.number()).isEqualTo(3);

    LauncherStatus signal = run(null, "/bin/sh", "-c", "kill -KILL $$");
    assertThat(signal.kind()).isEqualTo(LauncherStatus.Kind.SIGNAL);
    assertThat(signal.number()).isEqualTo(9);
    assertThat(signal.detail()).isEqualTo("SIGKILL");

    LauncherStatus error = run(null, "/nonexistent/nsjunit-contract-program");
    assertThat(error.kind()).isEqualTo(LauncherStatus.Kind.ERROR);
    assertThat(error.number()).isEqualTo(127);
    assertThat(error.detail()).contains("/nonexistent/nsjunit-contract-program");

    // "stop" then EOF: this side ends the sandbox on purpose and keeps the cgroups for its report
    LauncherStatus stopped = run(new String(LauncherProcess.STOP_REQUEST, java.nio.charset.StandardCharsets.US_ASCII), "sleep", "600");
    assertThat(stopped.kind()).isEqualTo(LauncherStatus.Kind.STOPPED);

    // EOF alone: the parent died
    LauncherStatus parentGone = run("", "sleep", "600");
    assertThat(parentGone.kind()).isEqualTo(LauncherStatus.Kind.PARENT_GONE);
  }
}
