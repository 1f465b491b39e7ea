package dev.nsjunit.internal.run;

import dev.nsjunit.internal.child.ChildMain;
import dev.nsjunit.internal.jvm.ChildClasspath;
import dev.nsjunit.internal.jvm.ClassDataSharing;
import dev.nsjunit.internal.jvm.InheritedJvmOptions;
import dev.nsjunit.internal.lab.LabAccess;
import dev.nsjunit.internal.launcher.LauncherOption;
import dev.nsjunit.internal.spec.Configuration;
import dev.nsjunit.internal.spec.SandboxSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line of one sandbox: launcher options from the spec, then the child JVM with the
 * parent's classpath. Every value is its own argv element; nothing is ever joined into a shell
 * string.
 */
public final class ChildCommand {
  /** Environment variables that only make sense for the parent process (systemd hand-offs). */
  public static final Set<String> ENVIRONMENT_NOT_PASSED =
      Set.of(
          "NOTIFY_SOCKET",
          "LISTEN_FDS",
          "LISTEN_PID",
          "LISTEN_FDNAMES",
          "WATCHDOG_PID",
          "WATCHDOG_USEC");

  /**
   * Every child's collector: one thread for a JVM that lives one test (the fastest start, and what
   * the JVM picks itself in a small cgroup). No -Xshare option: sharing is on by default since JDK
   * 12, and any -Xshare option stops a JDK 25 JVM that uses an AOT cache, nsjunit's or the user's.
   */
  static final String SHORT_LIVED_GC = "-XX:+UseSerialGC";

  /**
   * {@code nsjunit.fastStart=true}: C1 only. Next to {@link #LATER_COMPILATION} it saves little or
   * nothing on a trivial test and makes a test that computes for seconds about 3x slower, so it is
   * a choice, not the default (docs/performance.md has both measured).
   */
  static final String C1_ONLY = "-XX:TieredStopAtLevel=1";

  /**
   * The default compiler: C1 and C2 as usual, each compiling a method after five times the JDK's
   * default number of calls and loop iterations. A JVM that lives one test spends much of its CPU
   * compiling JUnit's start-up code it runs once; a test that computes still reaches C2 within
   * milliseconds. Measured side by side (JVM + JUnit running one test, medians of 12): a trivial
   * test 0.43 s of CPU with the JDK's thresholds, 0.33 s with these, 0.35 s with C1 only; a test
   * computing 1.5 s took the same wall time as with the JDK's thresholds, where C1 only took 3x as
   * long. A user's own {@code -XX:CompileThresholdScaling} comes later on the command line and
   * wins.
   */
  static final String LATER_COMPILATION = "-XX:CompileThresholdScaling=5";

  /**
   * The default heap of a child with no memory limit: it starts at 8 MiB instead of the JDK's 1/64
   * of the machine's memory, and after a full collection grows to 70% free instead of 40%. JUnit's
   * start allocates some 20 MiB; in a large young generation all of it stays resident while a
   * sandbox started ahead waits, and each page is a fresh one the kernel faults in. Measured: a
   * plain JVM running one JUnit test (no class-data archive) 77 → 59 MiB RSS, 1.24 → 0.93 s of CPU;
   * in a sandbox, whose child maps nsjunit's archive, much less: a waiting child 52.4 → 51.2 MiB
   * (two benchmark runs), about 25 ms of CPU per trivial test. The fast growth keeps a test that
   * builds a large heap from paying for the small start (12 million objects kept, in a sandbox, 6
   * interleaved rounds: 2375 ms vs 2402 ms with the JDK's sizing; starting at 64 MiB: 3049 ms). 8
   * MiB rather than 16 (JVM + JUnit with nsjunit's archive, 20 interleaved runs each): the same CPU
   * (390 vs 386 ms), 2 MiB less resident while waiting (48.7 vs 50.7 MiB), two small young
   * collections instead of one larger one; the large-heap test above, 6 rounds: 1205 vs 1290 ms
   * (the JDK's sizing 1195 ms).
   */
  static final List<String> SMALL_STARTING_HEAP =
      List.of("-Xms8m", "-XX:MinHeapFreeRatio=70", "-XX:MaxHeapFreeRatio=90");

  /**
   * The options above that apply, in order: a collector the user chose wins; a heap the user sizes
   * or a memory limit (the JVM sizes its heap for the limit) keeps the JDK's own heap sizing.
   */
  static List<String> shortLivedOptions(
      Configuration config, boolean userChoosesGc, boolean heapSizedElsewhere) {
    List<String> options = new ArrayList<>();
    options.add(config.fastStart() ? C1_ONLY : LATER_COMPILATION);
    if (!userChoosesGc) {
      options.add(SHORT_LIVED_GC); // two collectors stop the JVM: the one the user chose wins
      if (!heapSizedElsewhere) {
        options.addAll(SMALL_STARTING_HEAP);
      }
    }
    return options;
  }

  /** Arguments longer than this go to an @argfile (the kernel caps one argument at 128 KiB). */
  private static final int MAX_INLINE_CLASSPATH = 16 * 1024;

  private ChildCommand() {}

  /**
   * What the child JVM is made of besides the spec: its classpath (from the parent's class
   * loaders), the options and properties it inherits from the parent, and a debug agent if asked.
   */
  public record ChildJvm(
      ChildClasspath classpath, InheritedJvmOptions.Result inherited, List<String> debugOptions) {}

  /** The child JVM's argv (after the launcher's "--"). */
  public static List<String> javaCommand(
      SandboxSpec spec,
      Configuration config,
      ChildJvm jvm,
      Path socket,
      String token,
      Path argFileDir,
      int id,
      ClassDataSharing.Plan sharing)
      throws IOException {
    List<String> argv = new ArrayList<>();
    argv.add(javaExecutable(config));
    // Perf data files live in /tmp/hsperfdata_<user>/<pid>: every sandbox's JVM is PID 2, so they
    // would overwrite each other. Off, always.
    argv.add("-XX:-UsePerfData");
    boolean userChoosesGc =
        jvm.inherited().selectsGarbageCollector()
            || InheritedJvmOptions.selectsGarbageCollector(config.jvmArgs())
            || InheritedJvmOptions.selectsGarbageCollector(spec.jvmArgs());
    boolean heapSizedElsewhere =
        spec.limits().memoryBytes().isPresent()
            || jvm.inherited().sizesHeap()
            || InheritedJvmOptions.sizesHeap(config.jvmArgs())
            || InheritedJvmOptions.sizesHeap(spec.jvmArgs());
    argv.addAll(shortLivedOptions(config, userChoosesGc, heapSizedElsewhere));
    argv.addAll(sharing.jvmOptions());
    argv.addAll(jvm.inherited().jvmOptions());
    argv.addAll(jvm.inherited().systemProperties());
    argv.add("-D" + ChildMain.SANDBOXED_PROPERTY + "=true");
    spec.network()
        .ifPresent(
            n ->
                argv.add(
                    "-D" + dev.nsjunit.internal.lab.ChildNetwork.HOST_PROPERTY + "=" + n.host()));
    argv.addAll(jvm.debugOptions());
    argv.addAll(config.jvmArgs());
    argv.addAll(spec.jvmArgs());
    if (!jvm.classpath().addModules().isEmpty()) {
      argv.add("--add-modules=" + String.join(",", jvm.classpath().addModules()));
    }
    addClasspath(argv, sharing.classpath(), argFileDir.resolve("cp-" + id + ".args"));
    argv.add(ChildMain.class.getName());
    argv.add(socket.toString());
    argv.add(token);
    return argv;
  }

  /**
   * The module options of the child's command line ({@link #javaCommand}: inherited, {@code
   * nsjunit.jvmArgs}, the test's own, the classpath's modules) that its class-data archive must be
   * made with, in that order.
   */
  public static List<String> archivedModuleOptions(
      SandboxSpec spec, Configuration config, ChildJvm jvm) {
    List<String> options = new ArrayList<>();
    options.addAll(InheritedJvmOptions.archivedModuleOptions(jvm.inherited().jvmOptions()));
    options.addAll(InheritedJvmOptions.archivedModuleOptions(config.jvmArgs()));
    options.addAll(InheritedJvmOptions.archivedModuleOptions(spec.jvmArgs()));
    if (!jvm.classpath().addModules().isEmpty()) {
      options.add("--add-modules=" + String.join(",", jvm.classpath().addModules()));
    }
    return options;
  }

  private static void addClasspath(List<String> argv, String classpath, Path argFile)
      throws IOException {
    if (classpath.length() > MAX_INLINE_CLASSPATH) {
      Files.writeString(
          argFile, "-cp\n\"" + classpath.replace("\\", "\\\\") + "\"\n", StandardCharsets.UTF_8);
      argv.add("@" + argFile);
    } else {
      argv.add("-cp");
      argv.add(classpath);
    }
  }

  /** How processes on other hosts of a lab are started: in a sandbox of their own on that host. */
  public static dev.nsjunit.internal.lab.LabSession.ProcessLauncher hostProcesses(
      Path launcher,
      LabAccess lab,
      Configuration config,
      ChildClasspath classpath,
      InheritedJvmOptions.Result inherited) {
    return new dev.nsjunit.internal.lab.LabSession.ProcessLauncher() {
      @Override
      public List<String> enterHost(String host) {
        List<String> argv = new ArrayList<>(List.of(launcher.toString()));
        argv.addAll(LauncherOption.JOIN_HOLDER.with(lab.lab().holderSocket(host).toString()));
        for (LauncherOption flag :
            List.of(
                LauncherOption.PID, LauncherOption.MOUNT, LauncherOption.IPC, LauncherOption.UTS)) {
          argv.add(flag.text());
        }
        argv.addAll(LauncherOption.HOSTNAME.with(host));
        argv.addAll(LauncherOption.BIND_RO.with(lab.hostsFile() + ":/etc/hosts"));
        argv.addAll(LauncherOption.CHDIR.with(System.getProperty("user.dir")));
        return argv;
      }

      @Override
      public List<String> javaCommand(String mainClass, List<String> args) {
        List<String> argv = new ArrayList<>();
        argv.add(javaExecutable(config));
        argv.add("-XX:-UsePerfData");
        argv.addAll(
            shortLivedOptions(config, inherited.selectsGarbageCollector(), inherited.sizesHeap()));
        // The same options as the test's JVM (a coverage agent sees the host process's code too).
        argv.addAll(inherited.jvmOptions());
        argv.addAll(inherited.systemProperties());
        if (!classpath.addModules().isEmpty()) {
          argv.add("--add-modules=" + String.join(",", classpath.addModules()));
        }
        argv.add("-cp");
        argv.add(classpath.asString());
        argv.add(mainClass);
        argv.addAll(args);
        return argv;
      }
    };
  }

  static String javaExecutable(Configuration config) {
    return config
        .java()
        .map(Path::toString)
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /**
   * Whether the child runs this JVM's own JDK: then class-data sharing takes its version from this
   * JVM; for another JDK it reads that JDK's release file (ClassDataSharing, ChildJdk).
   */
  static boolean childRunsThisJdk(Configuration config) {
    Path own = Path.of(System.getProperty("java.home"), "bin", "java");
    return config
        .java()
        .map(p -> p.toAbsolutePath().normalize().equals(own.normalize()))
        .orElse(true);
  }

  /** The parent's environment minus {@link #ENVIRONMENT_NOT_PASSED}. */
  public static void trimEnvironment(Map<String, String> environment) {
    environment.keySet().removeAll(ENVIRONMENT_NOT_PASSED);
  }
}
