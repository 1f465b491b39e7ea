package dev.nsjunit.internal.jvm;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the child JVM inherits from the parent JVM: its JVM options and system properties, each
 * forwarded, adapted to the sandbox or dropped, for a reason. docs/runners.md has the same rules as
 * one table; keep them in step.
 *
 * <p>The options are the parent's {@code RuntimeMXBean} input arguments (argument files and {@code
 * JDK_JAVA_OPTIONS} already expanded). Those that came from {@code JAVA_TOOL_OPTIONS}, {@code
 * JDK_JAVA_OPTIONS} or {@code _JAVA_OPTIONS} are left out: the child inherits the environment, and
 * its JVM reads them again. System properties are taken from the running JVM, not from {@code -D},
 * so that properties set at run time (Surefire's {@code systemPropertyVariables}) reach the child
 * too.
 */
public final class InheritedJvmOptions {

  /** What happens to one parent option. */
  public enum Treatment {
    FORWARDED,
    ADAPTED,
    DROPPED,
    FROM_ENVIRONMENT
  }

  /** One parent option and what the child gets for it (nothing when dropped). */
  public record Decision(
      String option, Treatment treatment, List<String> childOptions, String reason) {}

  /** The parent JVM as nsjunit sees it. */
  public record Parent(
      List<String> inputArguments, Map<String, String> environment, Properties systemProperties) {
    static Parent current() {
      return new Parent(
          ManagementFactory.getRuntimeMXBean().getInputArguments(),
          System.getenv(),
          System.getProperties());
    }
  }

  /**
   * What the decisions depend on, for one sandbox: its memory limit, and the assertion status
   * JUnit's class loader gives the test class (Surefire's {@code enableAssertions} sets the
   * loader's default status, not {@code -ea}).
   */
  public record Sandbox(
      OptionalLong memoryLimit, String testClassName, boolean assertionsForTestClass) {}

  /** The child's inherited options, in order, and whether they use the module system. */
  public record Result(
      List<Decision> decisions,
      List<String> jvmOptions,
      List<String> systemProperties,
      boolean modular,
      boolean selectsGarbageCollector,
      boolean sizesHeap,
      boolean parentIsDebugged) {}

  /** Environment variables whose JVM options the child's JVM reads itself. */
  static final List<String> OPTION_VARIABLES =
      List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

  /**
   * Launcher options that take their value as the next argument (the JDK normalizes them to
   * name=value).
   */
  private static final Set<String> SPLIT_VALUE_OPTIONS =
      Set.of(
          "--add-opens",
          "--add-exports",
          "--add-reads",
          "--add-modules",
          "--limit-modules",
          "--module-path",
          "-p",
          "--upgrade-module-path",
          "--patch-module",
          "--enable-native-access");

  private static final List<String> MODULE_OPTIONS =
      List.of(
          "--add-opens=",
          "--add-exports=",
          "--add-reads=",
          "--add-modules=",
          "--limit-modules=",
          "--module-path=",
          "--upgrade-module-path=",
          "--patch-module=",
          "--enable-native-access=",
          "--illegal-access=");

  /**
   * Module options a JDK 25 AOT cache must have been made with: with any of them different between
   * the making and the use ("Mismatched values for property jdk.module.addopens"), the JVM prints
   * three to seven {@code [error][aot]} lines into the test's output and runs without the cache.
   * JDK 17's AppCDS does not mind them; the archive follows them on every JDK all the same (one
   * rule, and a suite's argLine is usually one set for all its tests).
   */
  private static final List<String> ARCHIVED_MODULE_OPTIONS =
      List.of(
          "--add-opens=",
          "--add-exports=",
          "--add-reads=",
          "--add-modules=",
          "--enable-native-access=",
          "--illegal-native-access=");

  /**
   * The options among {@code options} (a child's, in its order) that its class-data archive must be
   * made with (see {@link #ARCHIVED_MODULE_OPTIONS}), as {@code name=value} whether they were given
   * so or as two arguments.
   */
  public static List<String> archivedModuleOptions(List<String> options) {
    List<String> found = new ArrayList<>();
    for (int i = 0; i < options.size(); i++) {
      String o = options.get(i);
      if (SPLIT_VALUE_OPTIONS.contains(o) && i + 1 < options.size()) {
        o = o + "=" + options.get(++i);
      }
      String option = o;
      if (ARCHIVED_MODULE_OPTIONS.stream().anyMatch(option::startsWith)) {
        found.add(option);
      }
    }
    return List.copyOf(found);
  }

  /** Options that change how the module graph is built; class-data sharing is off with them. */
  private static final List<String> MODULE_GRAPH_OPTIONS =
      List.of("--module-path=", "--upgrade-module-path=", "--patch-module=", "--limit-modules=");

  private static final List<String> ABSOLUTE_HEAP_OPTIONS =
      List.of(
          "-Xmx",
          "-Xms",
          "-Xmn",
          "-XX:MaxHeapSize=",
          "-XX:InitialHeapSize=",
          "-XX:MinHeapSize=",
          "-XX:NewSize=",
          "-XX:MaxNewSize=",
          "-XX:MaxRAM=");

  private static final List<String> SHARING_OPTIONS =
      List.of(
          "-Xshare:",
          "-XX:SharedArchiveFile=",
          "-XX:ArchiveClassesAtExit=",
          "-XX:SharedClassListFile=",
          "-XX:DumpLoadedClassList=",
          "-XX:+AutoCreateSharedArchive",
          "-XX:-AutoCreateSharedArchive",
          "-XX:AOTCache=",
          "-XX:AOTMode=",
          "-XX:AOTConfiguration=",
          "-XX:AOTCacheOutput=",
          "-XX:+RecordDynamicDumpInfo");

  /** Options that only make the java launcher print something or stop early. */
  private static final List<String> LAUNCHER_ACTIONS =
      List.of(
          "-XshowSettings",
          "--show-version",
          "-showversion",
          "--dry-run",
          "--validate-modules",
          "--list-modules",
          "--describe-module",
          "--show-module-resolution",
          "-version",
          "--version");

  private static final List<String> GARBAGE_COLLECTORS =
      List.of(
          "-XX:+UseSerialGC",
          "-XX:+UseParallelGC",
          "-XX:+UseG1GC",
          "-XX:+UseZGC",
          "-XX:+UseShenandoahGC",
          "-XX:+UseEpsilonGC",
          "-XX:+UseConcMarkSweepGC",
          "-XX:+UseParallelOldGC");

  /**
   * Options that size the heap or steer how it grows: with any of them the user sizes the child's
   * heap, and nsjunit's own starting heap (which they could contradict: -Xms above -Xmx stops a
   * JVM) stays out.
   */
  private static final List<String> HEAP_SIZING_OPTIONS =
      concat(
          ABSOLUTE_HEAP_OPTIONS,
          List.of(
              "-XX:MinHeapFreeRatio=",
              "-XX:MaxHeapFreeRatio=",
              "-XX:InitialRAMPercentage=",
              "-XX:MinRAMPercentage=",
              "-XX:MaxRAMPercentage=",
              "-XX:InitialRAMFraction=",
              "-XX:MinRAMFraction=",
              "-XX:MaxRAMFraction="));

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }

  /** Whether these JVM options size the heap (see {@link #HEAP_SIZING_OPTIONS}). */
  public static boolean sizesHeap(List<String> options) {
    return options.stream().anyMatch(o -> HEAP_SIZING_OPTIONS.stream().anyMatch(o::startsWith));
  }

  /**
   * Whether these JVM options (a test's own {@code jvmArgs}) bring class-data sharing of their own:
   * an archive or cache to use or to write. nsjunit's archive then stays out of that child's way (a
   * dump on top of a mapped dynamic archive stops the JVM: "DynamicDumpSharedSpaces is unsupported
   * when base CDS archive is not loaded").
   */
  public static boolean configuresSharing(List<String> options) {
    return options.stream().anyMatch(o -> SHARING_OPTIONS.stream().anyMatch(o::startsWith));
  }

  /** Whether these JVM options choose a garbage collector (two collectors stop a JVM at start). */
  public static boolean selectsGarbageCollector(List<String> options) {
    return options.stream().anyMatch(GARBAGE_COLLECTORS::contains);
  }

  /** System properties that describe the parent JVM or process; the child's JVM sets its own. */
  private static final Set<String> PARENT_PROPERTIES =
      Set.of(
          "java.class.path",
          "java.home",
          "java.class.version",
          "java.version",
          "java.version.date",
          "java.library.path",
          "sun.boot.library.path",
          "sun.java.command",
          "sun.java.launcher",
          "jdk.debug",
          "sun.arch.data.model",
          "sun.io.unicode.encoding",
          "sun.management.compiler",
          "sun.os.patch.level",
          "sun.jnu.encoding",
          "sun.stdout.encoding",
          "sun.stderr.encoding",
          "stdout.encoding",
          "stderr.encoding",
          "native.encoding",
          "line.separator",
          "path.separator",
          "file.separator",
          "user.dir",
          "sun.boot.class.path",
          "java.vendor",
          "java.vendor.url",
          "java.vendor.url.bug",
          "java.vendor.version",
          // set in every child by nsjunit itself
          dev.nsjunit.internal.child.ChildMain.SANDBOXED_PROPERTY,
          // Maven's own launcher, seen when Surefire runs tests inside Maven's JVM (forkCount=0)
          "classworlds.conf",
          "maven.home",
          "maven.conf",
          "library.jansi.path",
          "maven.multiModuleProjectDirectory",
          // set by JNA once it has loaded its library into this process
          "jna.loaded",
          "jnidispatch.path",
          "jna.platform.library.path");

  private static final List<String> PARENT_PROPERTY_PREFIXES =
      List.of(
          "java.vm.",
          "java.runtime.",
          "java.specification.",
          "sun.cpu.",
          "os.",
          "jdk.module.",
          "jdk.internal.",
          "surefire.",
          "org.gradle.internal.");

  /**
   * Among {@link #PARENT_PROPERTIES}: a user may set these with -D, and then the child gets them.
   */
  private static final Set<String> PARENT_PROPERTIES_USERS_SET =
      Set.of("java.library.path", "stdout.encoding", "stderr.encoding", "line.separator");

  private InheritedJvmOptions() {}

  /** Decides for every input argument of {@code parent}; see the class comment. */
  public static Result of(Parent parent, Sandbox sandbox) {
    List<String> arguments = new ArrayList<>(parent.inputArguments());
    List<Decision> decisions = new ArrayList<>();
    for (String fromEnvironment : environmentOptions(parent.environment())) {
      if (arguments.remove(fromEnvironment)) {
        decisions.add(
            new Decision(
                fromEnvironment,
                Treatment.FROM_ENVIRONMENT,
                List.of(),
                "the child inherits the environment variable and its JVM reads it again"));
      }
    }
    boolean heapTooLarge =
        sandbox.memoryLimit().isPresent()
            && largestAbsoluteHeap(arguments) >= sandbox.memoryLimit().getAsLong();
    List<String> assertionFlags = new ArrayList<>();
    Set<String> explicitProperties = new HashSet<>();
    boolean debugged = false;
    for (String arg : arguments) {
      if (arg.startsWith("-D")) {
        explicitProperties.add(propertyName(arg));
        continue; // system properties are taken from the running JVM below
      }
      Decision d = decide(arg, heapTooLarge, sandbox);
      debugged |= d.treatment() == Treatment.DROPPED && isDebugAgent(arg);
      if (isAssertionFlag(arg)) {
        assertionFlags.add(arg);
      }
      decisions.add(d);
    }
    boolean flagsSay = assertionStatus(assertionFlags, sandbox.testClassName());
    if (flagsSay != sandbox.assertionsForTestClass()) {
      String flag = sandbox.assertionsForTestClass() ? "-ea" : "-da";
      decisions.add(
          new Decision(
              "(class loader default assertion status)",
              Treatment.ADAPTED,
              List.of(flag),
              "the test's class loader has assertions "
                  + (sandbox.assertionsForTestClass() ? "on" : "off")
                  + " (Surefire's enableAssertions sets it there, not with -ea); the child's application class loader"
                  + " gets the same with "
                  + flag));
    }
    List<String> options = new ArrayList<>();
    boolean modular = false;
    boolean gc = false;
    boolean heap = false;
    for (Decision d : decisions) {
      options.addAll(d.childOptions());
      // A collector or heap size chosen in JAVA_TOOL_OPTIONS reaches the child through the
      // environment.
      boolean fromEnvironment = d.treatment() == Treatment.FROM_ENVIRONMENT;
      gc |= fromEnvironment && GARBAGE_COLLECTORS.contains(d.option());
      heap |= fromEnvironment && sizesHeap(List.of(d.option()));
      for (String o : d.childOptions()) {
        modular |= MODULE_GRAPH_OPTIONS.stream().anyMatch(o::startsWith);
        gc |= GARBAGE_COLLECTORS.contains(o);
        heap |= sizesHeap(List.of(o));
      }
    }
    return new Result(
        List.copyOf(decisions),
        List.copyOf(options),
        systemProperties(parent.systemProperties(), explicitProperties),
        modular,
        gc,
        heap,
        debugged);
  }

  /** The parent's options for a sandbox with these properties: the form SandboxRun uses. */
  public static Result forSandbox(Sandbox sandbox) {
    return of(Parent.current(), sandbox);
  }

  static Decision decide(String arg, boolean heapTooLarge, Sandbox sandbox) {
    if (isDebugAgent(arg)) {
      return dropped(
          arg,
          "a debugger attached to the parent does not reach the sandbox, and the child would clash with"
              + " the parent's port; set nsjunit.debug=<port> to debug inside the sandbox");
    }
    if (arg.startsWith("-javaagent:")) {
      return javaAgent(arg);
    }
    if (arg.startsWith("-agentpath:") || arg.startsWith("-agentlib:")) {
      return forwarded(arg, "a native agent (profiler, tracer) applies to the test's JVM");
    }
    if (MODULE_OPTIONS.stream().anyMatch(arg::startsWith)
        || arg.equals("--enable-preview")
        || arg.startsWith("-Xbootclasspath/a:")) {
      return forwarded(
          arg, "the test's classes need the same module graph, access and language level");
    }
    if (isAssertionFlag(arg)) {
      return forwarded(arg, "assertions behave as in the parent");
    }
    if (ABSOLUTE_HEAP_OPTIONS.stream().anyMatch(arg::startsWith)) {
      if (heapTooLarge) {
        return dropped(
            arg,
            "the sandbox's memory limit ("
                + sandbox.memoryLimit().getAsLong()
                + " bytes) is not larger"
                + " than the parent's heap: the child's JVM sizes its heap for the limit (25% of it, or"
                + " -XX:MaxRAMPercentage), so an overflow is an OutOfMemoryError rather than an OOM kill");
      }
      return forwarded(
          arg,
          "the test gets the heap the parent's tests get (it fits the sandbox's memory limit, if any)");
    }
    if (SHARING_OPTIONS.stream().anyMatch(arg::startsWith)) {
      return dropped(
          arg,
          "the child gets nsjunit's own class-data sharing archive (nsjunit.cds), made for its class path;"
              + " a dump option would make every child write an archive");
    }
    if (arg.equals("-XX:+UsePerfData") || arg.equals("-XX:-UsePerfData")) {
      return dropped(
          arg,
          "always off in the child: every sandbox's JVM is PID 2, their hsperfdata files would collide");
    }
    if (writesFileForEveryJvm(arg)) {
      return dropped(
          arg,
          "every child would write the same file (every sandbox's JVM is PID 2, so %p does not tell"
              + " them apart); give a test its own with @Sandbox(jvmArgs = ...)");
    }
    if (LAUNCHER_ACTIONS.stream()
        .anyMatch(a -> arg.equals(a) || arg.startsWith(a + ":") || arg.startsWith(a + "="))) {
      return dropped(arg, "a java launcher action (print, validate), not a JVM setting");
    }
    return forwarded(arg, "a JVM setting; the test's JVM gets the parent's");
  }

  private static Decision javaAgent(String arg) {
    String spec = arg.substring("-javaagent:".length());
    int eq = spec.indexOf('=');
    String jar = eq < 0 ? spec : spec.substring(0, eq);
    String options = eq < 0 ? "" : spec.substring(eq + 1);
    String file = jar.substring(jar.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    if (!(file.startsWith("org.jacoco.agent") || file.startsWith("jacocoagent"))) {
      return forwarded(arg, "a Java agent (coverage, mocking, tracing) applies to the test's JVM");
    }
    Map<String, String> values = new java.util.LinkedHashMap<>();
    for (String part : options.isEmpty() ? new String[0] : options.split(",")) {
      int i = part.indexOf('=');
      values.put(i < 0 ? part : part.substring(0, i), i < 0 ? "" : part.substring(i + 1));
    }
    String output = values.getOrDefault("output", "file");
    if (!output.equals("file")) {
      return dropped(
          arg,
          "JaCoCo with output="
              + output
              + " in every child would open or dial the same TCP port (from the"
              + " sandbox's own network); only output=file collects a sandbox's coverage");
    }
    if ("false".equals(values.get("append"))) {
      values.put("append", "true");
      StringBuilder adapted = new StringBuilder("-javaagent:").append(jar).append('=');
      values.forEach((k, v) -> adapted.append(k).append(v.isEmpty() ? "" : "=" + v).append(','));
      adapted.setLength(adapted.length() - 1);
      return new Decision(
          arg,
          Treatment.ADAPTED,
          List.of(adapted.toString()),
          "children append to the parent's exec file (append=false would let each child erase the others' coverage)");
    }
    return forwarded(
        arg,
        "JaCoCo: the child appends its coverage to the same exec file under a file lock, so code run"
            + " only in the sandbox is in the report");
  }

  private static Decision forwarded(String arg, String reason) {
    return new Decision(arg, Treatment.FORWARDED, List.of(arg), reason);
  }

  private static Decision dropped(String arg, String reason) {
    return new Decision(arg, Treatment.DROPPED, List.of(), reason);
  }

  static boolean isDebugAgent(String arg) {
    return arg.startsWith("-agentlib:jdwp") || arg.startsWith("-Xrunjdwp") || arg.equals("-Xdebug");
  }

  private static boolean writesFileForEveryJvm(String arg) {
    if (arg.startsWith("-Xloggc:")
        || arg.startsWith("-XX:StartFlightRecording")
        || arg.startsWith("-XX:FlightRecorderOptions")) {
      return true;
    }
    if (arg.startsWith("-Xlog:")) {
      String[] parts = arg.substring("-Xlog:".length()).split(":", 3);
      if (parts.length >= 2) {
        String output = parts[1];
        return !(output.isEmpty() || output.equals("stdout") || output.equals("stderr"));
      }
    }
    return false;
  }

  static boolean isAssertionFlag(String arg) {
    for (String flag : List.of("-ea", "-da", "-enableassertions", "-disableassertions")) {
      if (arg.equals(flag) || arg.startsWith(flag + ":")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether these -ea/-da flags enable assertions for {@code className}, by the JVM's rules: a
   * class-specific flag beats the most specific package flag, which beats the plain default; a
   * later flag for the same scope wins.
   */
  static boolean assertionStatus(List<String> flags, String className) {
    boolean byDefault = false;
    Map<String, Boolean> packages = new HashMap<>();
    Map<String, Boolean> classes = new HashMap<>();
    for (String flag : flags) {
      int colon = flag.indexOf(':');
      boolean enable = flag.startsWith("-e");
      if (colon < 0) {
        byDefault = enable;
      } else {
        String scope = flag.substring(colon + 1);
        if (scope.endsWith("...")) {
          packages.put(scope.substring(0, scope.length() - 3), enable);
        } else {
          classes.put(scope, enable);
        }
      }
    }
    String outer =
        className.contains("$") ? className.substring(0, className.indexOf('$')) : className;
    if (classes.containsKey(outer)) {
      return classes.get(outer);
    }
    String pkg = outer.contains(".") ? outer.substring(0, outer.lastIndexOf('.')) : "";
    while (true) {
      if (packages.containsKey(pkg)) {
        return packages.get(pkg);
      }
      if (pkg.isEmpty()) {
        return byDefault;
      }
      pkg = pkg.contains(".") ? pkg.substring(0, pkg.lastIndexOf('.')) : "";
    }
  }

  /** The largest absolute heap size among the options (-Xmx2g, -XX:MaxHeapSize=...), or -1. */
  static long largestAbsoluteHeap(List<String> arguments) {
    long largest = -1;
    for (String arg : arguments) {
      for (String option : ABSOLUTE_HEAP_OPTIONS) {
        if (arg.startsWith(option)) {
          largest = Math.max(largest, size(arg.substring(option.length())));
        }
      }
    }
    return largest;
  }

  static long size(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.isEmpty()) {
      return -1;
    }
    long unit = 1;
    char last = t.charAt(t.length() - 1);
    switch (last) {
      case 'k' -> unit = 1L << 10;
      case 'm' -> unit = 1L << 20;
      case 'g' -> unit = 1L << 30;
      case 't' -> unit = 1L << 40;
      default -> {}
    }
    try {
      return Long.parseLong(unit == 1 ? t : t.substring(0, t.length() - 1)) * unit;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * The option tokens the environment variables give every JVM, in the form the JVM reports them.
   */
  static List<String> environmentOptions(Map<String, String> environment) {
    List<String> result = new ArrayList<>();
    for (String variable : OPTION_VARIABLES) {
      String value = environment.get(variable);
      if (value == null || value.isBlank()) {
        continue;
      }
      List<String> tokens = tokens(value);
      for (int i = 0; i < tokens.size(); i++) {
        String t = tokens.get(i);
        if (SPLIT_VALUE_OPTIONS.contains(t) && i + 1 < tokens.size()) {
          result.add((t.equals("-p") ? "--module-path" : t) + "=" + tokens.get(++i));
        } else {
          result.add(t);
        }
      }
    }
    return result;
  }

  /** Splits an options variable like the JDK does: on whitespace, with "..." and '...' grouping. */
  static List<String> tokens(String value) {
    List<String> tokens = new ArrayList<>();
    StringBuilder current = null;
    char quote = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          current.append(c);
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        if (current == null) {
          current = new StringBuilder();
        }
      } else if (Character.isWhitespace(c)) {
        if (current != null) {
          tokens.add(current.toString());
          current = null;
        }
      } else {
        if (current == null) {
          current = new StringBuilder();
        }
        current.append(c);
      }
    }
    if (current != null) {
      tokens.add(current.toString());
    }
    return tokens;
  }

  private static String propertyName(String arg) {
    int eq = arg.indexOf('=');
    return eq < 0 ? arg.substring(2) : arg.substring(2, eq);
  }

  /**
   * The -D options for the child: every system property of the running JVM, except those that
   * describe the parent JVM or its process (its class path, JDK, launcher command, platform
   * constants, build tool internals), which the child's JVM sets for itself. A few of those are
   * still passed when the user gave them explicitly with -D.
   */
  static List<String> systemProperties(Properties properties, Set<String> explicit) {
    List<String> result = new ArrayList<>();
    for (String name : new TreeSet<>(properties.stringPropertyNames())) {
      if (inherited(name, explicit.contains(name))) {
        result.add("-D" + name + "=" + properties.getProperty(name));
      }
    }
    return result;
  }

  static boolean inherited(String name, boolean givenWithD) {
    if (PARENT_PROPERTY_PREFIXES.stream().anyMatch(name::startsWith)) {
      return false;
    }
    if (PARENT_PROPERTIES.contains(name)) {
      return givenWithD && PARENT_PROPERTIES_USERS_SET.contains(name);
    }
    return true;
  }
}
