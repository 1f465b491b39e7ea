package dev.nsjunit.internal.limits.cgroup;

import dev.nsjunit.internal.launcher.LauncherProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@link CgroupPlacement#SYSTEMD}: a transient scope with {@code Delegate=yes}, the way runc's and
 * crun's systemd cgroup drivers get a subtree systemd will leave alone. It is asked for with {@code
 * systemd-run --scope}, systemd's own client for that D-Bus call (StartTransientUnit): it reaches
 * the manager over the bus or, as root, over systemd's private socket when no bus daemon runs, and
 * with {@code --user} it asks the user's manager, as rootless podman does.
 *
 * <p>A scope needs a process: the holder, a launcher whose stdin is a pipe only this JVM holds.
 * When the JVM ends, even by SIGKILL, the holder ends, the scope is empty and systemd removes it
 * ({@code --collect}) with everything below it. Inside the scope the holder moves into the leaf
 * {@value #HOLDER_GROUP}, so the scope itself can enable controllers for test groups.
 */
final class SystemdScope implements AutoCloseable {
  static final String HOLDER_GROUP = "nsjunit-holder";
  private static final long READY_TIMEOUT_MS = 30_000;

  private final String unit;
  private final Path dir;
  private final Process holder;
  private final Path fsRoot;

  private SystemdScope(String unit, Path dir, Process holder, Path fsRoot) {
    this.unit = unit;
    this.dir = dir;
    this.holder = holder;
    this.fsRoot = fsRoot;
  }

  /** How systemd is reached from this process, or why it is not. */
  record Systemd(Optional<Path> systemdRun, boolean booted, boolean userManager) {
    static Systemd detect(Path fsRoot, boolean root) {
      Optional<Path> run =
          java.util.stream.Stream.of("usr/bin/systemd-run", "bin/systemd-run")
              .map(fsRoot::resolve)
              .filter(Files::isExecutable)
              .findFirst();
      // sd_booted(): systemd is this system's manager exactly when /run/systemd/system exists
      boolean booted = Files.isDirectory(fsRoot.resolve("run/systemd/system"));
      return new Systemd(run, booted, !root);
    }

    boolean usable() {
      return booted && systemdRun.isPresent();
    }

    String describe() {
      if (!booted) {
        return "systemd does not manage this system (no /run/systemd/system)";
      }
      return systemdRun.isEmpty()
          ? "systemd-run is not installed"
          : "systemd-run " + systemdRun.get();
    }
  }

  /**
   * Starts the scope and makes it ready for test groups with {@code controllers}.
   *
   * @param holderCommand a command that runs until its stdin reaches EOF
   * @param directoryOf turns the cgroup path in /proc/PID/cgroup into its directory here
   */
  static SystemdScope start(
      Systemd systemd,
      String unitName,
      List<String> holderCommand,
      Set<String> controllers,
      java.util.function.Function<String, Optional<Path>> directoryOf,
      Path fsRoot)
      throws CgroupException {
    List<String> cmd = new ArrayList<>();
    cmd.add(systemd.systemdRun().orElseThrow().toString());
    if (systemd.userManager()) {
      cmd.add("--user");
    }
    cmd.addAll(
        List.of(
            "--scope",
            "--quiet",
            "--collect",
            "--unit=" + unitName,
            "--description=nsjunit test cgroups of JVM " + ProcessHandle.current().pid(),
            "--property=Delegate=yes",
            "--"));
    cmd.addAll(holderCommand);
    String shown = String.join(" ", cmd);
    Process p;
    try {
      p =
          new ProcessBuilder(cmd)
              .redirectInput(ProcessBuilder.Redirect.PIPE)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.PIPE)
              .start();
    } catch (IOException e) {
      throw new CgroupException("could not run " + shown + ": " + e.getMessage(), e);
    }
    SystemdScope scope = null;
    try {
      Path dir = awaitScope(p, unitName, shown, directoryOf);
      scope = new SystemdScope(unitName, dir, p, fsRoot);
      scope.makeReady(controllers);
      return scope;
    } catch (CgroupException | RuntimeException e) {
      if (scope != null) {
        scope.close();
      } else {
        LauncherProcess.end(p, Duration.ofSeconds(5));
      }
      throw e;
    }
  }

  /** Waits until systemd-run has exec'd the holder (then the scope exists with it inside). */
  private static Path awaitScope(
      Process p,
      String unitName,
      String shown,
      java.util.function.Function<String, Optional<Path>> directoryOf)
      throws CgroupException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
    String scopeName = unitName + ".scope";
    while (true) {
      if (!p.isAlive()) {
        throw new CgroupException(
            "systemd refused the scope: `"
                + shown
                + "` exited with "
                + p.exitValue()
                + ": "
                + LauncherProcess.stderrText(p));
      }
      Optional<String> path = cgroupPath(p.pid());
      if (path.isPresent() && path.get().endsWith("/" + scopeName)) {
        return directoryOf
            .apply(path.get())
            .orElseThrow(
                () ->
                    new CgroupException(
                        "systemd put the holder into "
                            + path.get()
                            + ", which this JVM's cgroup2 mount does not show"));
      }
      if (System.nanoTime() > deadline) {
        throw new CgroupException(
            "systemd did not start the scope within " + READY_TIMEOUT_MS + " ms (`" + shown + "`)");
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CgroupException("interrupted while waiting for systemd to start " + scopeName, e);
      }
    }
  }

  private static Optional<String> cgroupPath(long pid) {
    try {
      for (String line : Files.readString(Path.of("/proc/" + pid + "/cgroup")).split("\n")) {
        if (line.startsWith("0::")) {
          return Optional.of(line.substring(3).strip());
        }
      }
    } catch (IOException e) {
      // the process is starting or gone: the caller looks again
    }
    return Optional.empty();
  }

  private void makeReady(Set<String> controllers) throws CgroupException {
    Set<String> available = ControlFiles.words(dir.resolve("cgroup.controllers"));
    Set<String> missing = new TreeSet<>(controllers);
    missing.removeAll(available);
    if (!missing.isEmpty()) {
      throw new CgroupException(
          "systemd delegated the scope "
              + unit
              + ".scope without the "
              + String.join(", ", missing)
              + " controller(s)"
              + " (its cgroup.controllers lists \""
              + String.join(" ", available)
              + "\"): the slices above it do not have"
              + " them"
              + (controllers.contains("cpuset")
                  ? "; cpuset is rarely delegated, drop the cpuset limit"
                  : ""));
    }
    Path holderGroup = dir.resolve(HOLDER_GROUP);
    ControlFiles.makeGroup(holderGroup);
    SharedCgroupLeaf.moveAll(dir, holderGroup, fsRoot); // again while the holder forks
    Set<String> enable = new TreeSet<>(available);
    enable.retainAll(V2Driver.usableControllers(controllers));
    if (!enable.isEmpty()) {
      ControlFiles.write(
          dir.resolve("cgroup.subtree_control"),
          enable.stream().map(c -> "+" + c).collect(Collectors.joining(" ")));
    }
  }

  String unit() {
    return unit + ".scope";
  }

  Path dir() {
    return dir;
  }

  long holderPid() {
    return holder.pid();
  }

  /** Ends the holder; systemd then removes the empty scope and the groups below it. */
  @Override
  public void close() {
    LauncherProcess.end(holder, Duration.ofSeconds(5));
  }
}
