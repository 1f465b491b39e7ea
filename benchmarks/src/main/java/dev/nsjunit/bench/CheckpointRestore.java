package dev.nsjunit.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Research rows (issue: "restoring a checkpointed, warmed child instead of booting a JVM"): a child
 * JVM in fresh pid and network namespaces that boots for its test, against the same child restored
 * by CRIU from a checkpoint taken after its warm-up, one after the other, interleaved. Both run the
 * trivial test through junit-platform-launcher ({@link WarmChild}); neither goes through nsjunit,
 * which has no restore path: these rows say what one could gain, not what nsjunit does.
 *
 * <p>The checkpoint is taken once: {@code unshare --pid --fork --net setsid java ... WarmChild
 * wait} (the JVM is its namespace's init and session leader, as CRIU needs), its probe test run,
 * then {@code criu dump} of that tree. Each restore makes new pid and network namespaces and the
 * same process, which finds its request file and runs the test. CPU per run is what the harness's
 * waited-for children used ({@code cutime + cstime} of /proc/self/stat, 10 ms ticks, divided by the
 * runs): the booted row counts unshare and the JVM, the restored one criu and the JVM.
 */
final class CheckpointRestore {
  static final String SECTION = "criu";
  static final String BOOTED =
      "child booted for its test: unshare --pid --fork --net setsid java <child options>"
          + " -XX:SharedArchiveFile=<the child's jsa> -cp <same classpath> WarmChild now PlainTrivial#empty";
  static final String RESTORED =
      "child restored for its test: criu restore of a checkpoint taken after its warm-up (pid and"
          + " net namespaces), then PlainTrivial#empty";

  /** What the report needs beyond the two rows. */
  record Result(
      String criuVersion,
      double dumpMs,
      long imageKiB,
      double bootedCpuMs,
      double restoredCpuMs,
      int runs) {}

  private final Main bench;
  private final Path criu;
  private final String version;
  private final Path dir;
  private final Path images;

  CheckpointRestore(Main bench, Path criu, String version) {
    this.bench = bench;
    this.criu = criu;
    this.version = version;
    this.dir = bench.work.resolve("criu");
    this.images = dir.resolve("images");
  }

  /** The two rows and the result, or a skipped row that says which step failed. */
  void measure() {
    try {
      Main.deleteTree(dir);
      Files.createDirectories(images);
      double dumpMs = checkpoint();
      long imageKiB = sizeKiB(images);
      int rounds = bench.n(4, 1);
      int perRound = 5;
      List<Long> booted = new ArrayList<>();
      List<Long> restored = new ArrayList<>();
      long[] bootedTicks = {0};
      long[] restoredTicks = {0};
      // Warm-up: the page cache holds the images and the jars for both.
      run(bootedCommand(), 2, new ArrayList<>(), new long[1]);
      run(restoreCommand(), 2, new ArrayList<>(), new long[1]);
      for (int round = 0; round < rounds; round++) {
        boolean bootFirst = round % 2 == 0;
        for (int k = 0; k < 2; k++) {
          if ((k == 0) == bootFirst) {
            run(bootedCommand(), perRound, booted, bootedTicks);
          } else {
            run(restoreCommand(), perRound, restored, restoredTicks);
          }
        }
      }
      bench.rows.put(
          SECTION + "|" + BOOTED,
          new Main.Row(
              SECTION,
              BOOTED,
              Stats.ofNanos(booted),
              bench.jsa != null
                  ? "interleaved"
                  : "interleaved; without a class-data archive (this run made none)"));
      bench.rows.put(
          SECTION + "|" + RESTORED,
          new Main.Row(SECTION, RESTORED, Stats.ofNanos(restored), "interleaved"));
      bench.criu =
          new Result(
              version,
              dumpMs,
              imageKiB,
              bootedTicks[0] * 10.0 / booted.size(),
              restoredTicks[0] * 10.0 / restored.size(),
              booted.size());
      bench.progress(BOOTED + ": " + Stats.ofNanos(booted));
      bench.progress(RESTORED + ": " + Stats.ofNanos(restored));
    } catch (Exception | AssertionError e) {
      bench.skip(SECTION, RESTORED, "failed: " + Main.oneLine(e));
    } finally {
      try {
        Main.deleteTree(dir);
      } catch (IOException ignored) {
        // under the build's target directory; the next run starts by removing it
      }
    }
  }

  /**
   * Boots the waiting child, lets it warm up, and checkpoints it: the time of {@code criu dump}.
   */
  private double checkpoint() throws Exception {
    Path ready = dir.resolve("ready");
    List<String> command =
        Main.concat(
            List.of("unshare", "--pid", "--fork", "--net", "setsid"),
            javaCommand(),
            List.of(WarmChild.class.getName(), "wait", ready.toString(), request().toString()));
    Process unshare = quiet(new ProcessBuilder(command)).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(ready)) {
        if (!unshare.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException("the child to checkpoint did not get ready");
        }
        Thread.sleep(20);
      }
      long jvm =
          unshare.toHandle().children().findFirst().orElseThrow().pid(); // the namespace's init
      long t0 = System.nanoTime();
      int rc =
          quiet(
                  new ProcessBuilder(
                      criu.toString(),
                      "dump",
                      "-t",
                      Long.toString(jvm),
                      "-D",
                      images.toString(),
                      "-o",
                      "dump.log",
                      // Nothing to lock: the namespace has only lo, and no connection.
                      "--network-lock",
                      "skip"))
              .start()
              .waitFor();
      double ms = (System.nanoTime() - t0) / 1e6;
      if (rc != 0) {
        throw new IllegalStateException("criu dump exit " + rc + ": " + errors("dump.log"));
      }
      if (!unshare.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the checkpointed tree did not end after the dump");
      }
      // Whoever is restored from now on finds its request at once.
      Path partial = dir.resolve("request.partial");
      Files.writeString(
          partial, Main.FIXTURE + "PlainTrivial#empty\n" + result() + "\n", StandardCharsets.UTF_8);
      Files.move(partial, request(), StandardCopyOption.ATOMIC_MOVE);
      return ms;
    } finally {
      unshare.destroyForcibly();
      unshare.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
    }
  }

  private List<String> bootedCommand() {
    return Main.concat(
        List.of("unshare", "--pid", "--fork", "--net", "setsid"),
        javaCommand(),
        List.of(
            WarmChild.class.getName(),
            "now",
            Main.FIXTURE + "PlainTrivial#empty",
            result().toString()));
  }

  private List<String> restoreCommand() {
    // Without -d criu stays the parent of what it restored and returns once that has exited.
    return List.of(criu.toString(), "restore", "-D", images.toString(), "-o", "restore.log");
  }

  /** The child's JVM as nsjunit would start it, with the class-data archive when there is one. */
  private List<String> javaCommand() {
    List<String> java = new ArrayList<>(List.of(bench.java17.toString()));
    java.addAll(Main.CHILD_OPTS);
    if (bench.jsa != null) {
      java.add("-XX:SharedArchiveFile=" + bench.jsa);
    }
    java.addAll(List.of("-cp", bench.classpath));
    return java;
  }

  /**
   * Runs {@code command} {@code times} times; each must exit 0 and leave "passed" in the result
   * file. Adds the wall time of each to {@code samples} and the CPU ticks of all to {@code ticks}.
   */
  private void run(List<String> command, int times, List<Long> samples, long[] ticks)
      throws Exception {
    for (int i = 0; i < times; i++) {
      Files.deleteIfExists(result());
      long before = childTicks();
      long t0 = System.nanoTime();
      Process p = quiet(new ProcessBuilder(command)).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        throw new IllegalStateException(command.get(0) + " " + command.get(1) + " hung");
      }
      long elapsed = System.nanoTime() - t0;
      ticks[0] += childTicks() - before;
      String outcome =
          Files.exists(result()) ? Files.readString(result(), StandardCharsets.UTF_8) : "none";
      if (p.exitValue() != 0 || !outcome.equals("passed")) {
        throw new IllegalStateException(
            String.join(" ", command.subList(0, 2))
                + ": exit "
                + p.exitValue()
                + ", test "
                + outcome
                + (command.get(0).equals(criu.toString()) ? ": " + errors("restore.log") : ""));
      }
      samples.add(elapsed);
    }
  }

  /**
   * Every descriptor a restore must find as it was at the dump: stdin, stdout and stderr on
   * /dev/null (a log file that grew in between fails the restore: "has bad size").
   */
  private static ProcessBuilder quiet(ProcessBuilder pb) {
    return pb.redirectInput(new File("/dev/null"))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD);
  }

  private Path request() {
    return dir.resolve("request");
  }

  private Path result() {
    return dir.resolve("result");
  }

  /** CPU of this process's waited-for children so far, in clock ticks (USER_HZ, 100 per second). */
  private static long childTicks() throws IOException {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[13]) + Long.parseLong(f[14]); // cutime, cstime (fields 16, 17)
  }

  /**
   * CRIU's errors from its log, minus the one this machine's root always gets (no SYS_RESOURCE).
   */
  private String errors(String log) {
    try {
      List<String> lines = new ArrayList<>();
      for (String l : Files.readAllLines(images.resolve(log), StandardCharsets.UTF_8)) {
        if (l.contains("Error") && !l.contains("RLIMIT_NOFILE")) {
          lines.add(l.strip());
        }
      }
      return lines.isEmpty()
          ? "(no error in " + log + ")"
          : String.join(" / ", lines.subList(0, Math.min(3, lines.size())));
    } catch (IOException e) {
      return "(no " + log + ")";
    }
  }

  private static long sizeKiB(Path dir) throws IOException {
    try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
      long bytes = 0;
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        bytes += Files.size(f);
      }
      return bytes / 1024;
    }
  }
}
