package dev.nsjunit.bench;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * The child of the checkpoint/restore rows: what a sandbox's child would be if it were restored
 * instead of booted. {@code now METHOD RESULT} boots and runs one test method at once (the
 * baseline: a child that boots for its test). {@code wait READY REQUEST} boots, runs a probe test
 * (as a child started ahead does), writes READY and then waits for the file REQUEST, whose two
 * lines are the test method and RESULT: the harness checkpoints it while it waits and restores it
 * once REQUEST exists, as often as it likes. Writes "passed" to RESULT only if exactly that one
 * test passed (a restore's exit code is CRIU's, not the restored process's), and exits 0 then.
 */
public final class WarmChild {
  private WarmChild() {}

  public static void main(String[] args) throws Exception {
    Launcher launcher = LauncherFactory.create();
    String method;
    Path result;
    if (args[0].equals("now")) {
      method = args[1];
      result = Path.of(args[2]);
    } else {
      Path ready = Path.of(args[1]);
      Path request = Path.of(args[2]);
      run(launcher, Main.FIXTURE + "PlainTrivial#empty");
      Files.writeString(ready, "ready", StandardCharsets.UTF_8);
      // Polling, not a socket or a pipe: a file the restored process opens after the restore is
      // all CRIU has to know about (a connection to outside the tree must be handed over).
      while (!Files.exists(request)) {
        Thread.sleep(1);
      }
      java.util.List<String> lines = Files.readAllLines(request, StandardCharsets.UTF_8);
      method = lines.get(0);
      result = Path.of(lines.get(1));
    }
    boolean passed = run(launcher, method);
    Files.writeString(result, passed ? "passed" : "failed", StandardCharsets.UTF_8);
    System.exit(passed ? 0 : 1);
  }

  private static boolean run(Launcher launcher, String method) {
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    launcher.execute(
        LauncherDiscoveryRequestBuilder.request().selectors(selectMethod(method)).build(),
        listener);
    return listener.getSummary().getTestsSucceededCount() == 1
        && listener.getSummary().getTotalFailureCount() == 0;
  }
}
