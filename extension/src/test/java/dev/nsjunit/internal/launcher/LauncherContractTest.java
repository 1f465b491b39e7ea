package dev.nsjunit.internal.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract between the launcher (C) and this side, checked against the other: its options
 * ({@code options.c} against {@link LauncherOption}), the stop request, and the status file.
 *
 * <p>The status file is the contract between the launcher (C, status_file.c) and this side ({@link
 * LauncherStatus}): the real binary writes each of its five forms, and each is read back as what it
 * means. A launcher that changes a word or a number fails here, not in a user's report.
 */
class LauncherContractTest {
  @TempDir Path dir;

  /**
   * The launcher built into this module's classes, copied executable (as LauncherBinary extracts
   * it).
   */
  private Path launcher() throws Exception {
    Path copy = dir.resolve("nsjunit-launch");
    if (!Files.exists(copy)) {
      try (var in = LauncherBinary.class.getResourceAsStream(LauncherBinary.RESOURCE)) {
        assertThat(in).as("the launcher in this module's classes").isNotNull();
        Files.copy(in, copy);
      }
      assertThat(copy.toFile().setExecutable(true, true)).isTrue();
    }
    return copy;
  }

  /** Runs the launcher with a status file; STDIN is written (may be null: nothing), then closed. */
  private LauncherStatus run(String stdin, String... program) throws Exception {
    Path status = dir.resolve("status-" + System.nanoTime());
    List<String> cmd =
        new ArrayList<>(
            List.of(launcher().toString(), "--pid", "--status-file", status.toString(), "--"));
    cmd.addAll(List.of(program));
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try (OutputStream in = p.getOutputStream()) {
      // stdin is the launcher's line to its parent: EOF means the parent died. Held open until
      // the program has ended by itself, unless this run is about what the parent writes there.
      if (stdin == null) {
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("the launcher ended").isTrue();
      } else {
        // only once the program runs: before that, EOF or "stop" would end the launcher's setup
        // instead
        long end = System.currentTimeMillis() + 10_000;
        while (p.descendants()
                .noneMatch(d -> d.info().commandLine().orElse("").contains("sleep 600"))
            && System.currentTimeMillis() < end) {
          Thread.sleep(10);
        }
        in.write(stdin.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      }
    }
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("the launcher ended").isTrue();
    assertThat(status).as("the status file").exists();
    return LauncherStatus.read(status)
        .orElseThrow(() -> new AssertionError("unreadable status: " + read(status)));
  }

  /** C-only options: the Java side never passes them (for people and the launcher's own tests). */
  private static final Map<String, Boolean> NOT_USED_BY_JAVA =
      Map.of(
          "--help",
          false,
          "--version",
          false,
          "--user",
          false,
          "--join-net",
          true,
          "--keep-fd",
          true);

  @Test
  void everyOptionJavaPassesIsOneTheLauncherParsesWithTheSameArity() throws Exception {
    Path options = nativeSource("options.c");
    String c = Files.readString(options);
    Map<String, Boolean> parsed = new TreeMap<>(); // option -> takes a value
    Matcher flag = Pattern.compile("FLAG\\(\"(--[a-z-]+)\"").matcher(c);
    while (flag.find()) {
      parsed.put(flag.group(1), false);
    }
    Matcher valued = Pattern.compile("WITH_VALUE\\(\"(--[a-z-]+)\"\\)").matcher(c);
    while (valued.find()) {
      parsed.put(valued.group(1), true);
    }
    // The old spelling of --userns=always is parsed by hand, not through FLAG.
    assertThat(c).containsPattern("strcmp\\(name, \"--user\"\\) == 0\\s*&&\\s*!value");
    parsed.put("--user", false);
    assertThat(parsed).as("options parsed by %s", options).hasSizeGreaterThan(20);

    Map<String, Boolean> java = new TreeMap<>(NOT_USED_BY_JAVA);
    for (LauncherOption o : LauncherOption.values()) {
      assertThat(java.put(o.text(), o.takesValue())).as("%s defined twice", o.text()).isNull();
    }
    assertThat(java)
        .as(
            "LauncherOption plus the C-only options, against what options.c parses (option -> takes a value)")
        .isEqualTo(parsed);
  }

  /**
   * A file of the launcher's sources, found from this module's directory (the build runs tests from
   * there).
   */
  private static Path nativeSource(String name) {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path p = d.resolve("native-helper/src/main/c").resolve(name);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new AssertionError(
        "native-helper/src/main/c/"
            + name
            + " not found above "
            + Path.of("").toAbsolutePath()
            + ": run this test from the repository (it checks the sources against each other)");
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
    LauncherStatus stopped =
        run(
            new String(LauncherProcess.STOP_REQUEST, java.nio.charset.StandardCharsets.US_ASCII),
            "sleep",
            "600");
    assertThat(stopped.kind()).isEqualTo(LauncherStatus.Kind.STOPPED);

    // EOF alone: the parent died
    LauncherStatus parentGone = run("", "sleep", "600");
    assertThat(parentGone.kind()).isEqualTo(LauncherStatus.Kind.PARENT_GONE);
  }
}
