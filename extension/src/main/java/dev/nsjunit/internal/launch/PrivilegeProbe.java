package dev.nsjunit.internal.launch;

import dev.nsjunit.internal.spec.Configuration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Checks once per JVM whether this machine lets us create the namespaces every sandbox needs
 * (pid and mount), by running the launcher's {@code --check}. The answer is cached: a machine
 * without the privilege fails (or skips) every isolated test with the same explanation, fast.
 */
public final class PrivilegeProbe {
  private static Optional<String> verdict;

  private PrivilegeProbe() {}

  /** Empty when namespaces can be created, else the launcher's explanation. */
  public static synchronized Optional<String> missingPrivilege(Configuration config) {
    if (verdict == null) {
      verdict = probe(config);
    }
    return verdict;
  }

  private static Optional<String> probe(Configuration config) {
    Path launcher = LauncherBinary.path(config);
    Path status = RunDirectory.get().file("privilege-probe.status");
    try {
      Process p =
          new ProcessBuilder(List.of(launcher.toString(), "--check", "--pid", "--mount", "--status-file", status.toString()))
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.of("the launcher's privilege check did not finish within 30 s");
      }
      if (p.exitValue() == 0) {
        return Optional.empty();
      }
      String text = new String(out, StandardCharsets.UTF_8).strip();
      return Optional.of(text.isEmpty() ? "the launcher's privilege check exited with " + p.exitValue() : text);
    } catch (IOException e) {
      return Optional.of("could not run the launcher " + launcher + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted during the privilege check");
    } finally {
      try {
        Files.deleteIfExists(status);
      } catch (IOException ignored) {
        // part of the run directory, removed at exit
      }
    }
  }
}
