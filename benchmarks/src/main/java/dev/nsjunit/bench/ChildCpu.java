package dev.nsjunit.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.junit.platform.engine.TestEngine;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * Where the CPU of a JVM that lives one test goes: boot, then one test method ({@code
 * Class#method}) through junit-platform-launcher configured as nsjunit's child configures it (the
 * Jupiter engine only, no auto-registered listeners or filters), then the CPU time of each of its
 * threads so far, by kind. Run with {@code -Dnsjunit.sandboxed=true}, an isolated test runs in
 * place as in a child. Prints one line, {@code cpu <java threads ns> <JIT compiler threads ns>
 * <other JVM threads ns>}, and exits 0 if the test passed.
 *
 * <p>Each thread's time is the first field of {@code /proc/self/task/<tid>/schedstat} (nanoseconds
 * on a CPU). "java" threads are the launcher's first thread and the one running main (the JVM names
 * neither); JIT threads are HotSpot's "C1/C2 CompilerThread"s; the rest (VM thread, GC, signal
 * dispatcher, JDK 25's training replay and archive workers) are "other". The JVM's exit comes after
 * the reading and is not counted.
 */
public final class ChildCpu {
  private ChildCpu() {}

  public static void main(String[] args) throws IOException {
    boolean passed = passesOnce(args[0]);
    long java = 0;
    long jit = 0;
    long other = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        String comm;
        long ns;
        try {
          comm = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).strip();
          ns = Long.parseLong(Files.readString(task.resolve("schedstat")).split(" ")[0]);
        } catch (IOException | RuntimeException ended) {
          continue; // a thread that ended meanwhile
        }
        if (comm.equals("java")) {
          java += ns;
        } else if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
          jit += ns;
        } else {
          other += ns;
        }
      }
    }
    System.out.println("cpu " + java + " " + jit + " " + other);
    System.exit(passed ? 0 : 1);
  }

  private static boolean passesOnce(String method) {
    LauncherConfig.Builder config =
        LauncherConfig.builder()
            .enableTestEngineAutoRegistration(false)
            .enableTestExecutionListenerAutoRegistration(false)
            .enablePostDiscoveryFilterAutoRegistration(false);
    for (TestEngine engine : ServiceLoader.load(TestEngine.class)) {
      if (engine.getId().equals("junit-jupiter")) {
        config.addTestEngines(engine);
      }
    }
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    LauncherFactory.create(config.build())
        .execute(
            LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectMethod(method))
                .build(),
            listener);
    return listener.getSummary().getTestsSucceededCount() == 1
        && listener.getSummary().getTotalFailureCount() == 0;
  }
}
