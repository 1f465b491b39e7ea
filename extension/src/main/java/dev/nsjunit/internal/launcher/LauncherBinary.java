package dev.nsjunit.internal.launcher;

import dev.nsjunit.SandboxFailedException;
import dev.nsjunit.SandboxFailedException.Reason;
import dev.nsjunit.internal.cleanup.Janitor;
import dev.nsjunit.internal.run.RunDirectory;
import dev.nsjunit.internal.spec.Configuration;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** The native launcher: shipped in this jar for linux-x86_64, extracted once per JVM (0700). */
public final class LauncherBinary {
  static final String RESOURCE = "/dev/nsjunit/internal/launcher/linux-x86_64/nsjunit-launch";
  private static Path extracted;

  private LauncherBinary() {}

  /**
   * The launcher to run: {@code nsjunit.launcher} if configured, else the one in the jar. The first
   * call also starts this JVM's {@link Janitor} with it: whatever runs a launcher is about to make
   * things that must not outlive the JVM.
   */
  public static Path path(Configuration configuration) {
    Path launcher = chosen(configuration);
    Janitor.start(launcher, RunDirectory.get().path());
    return launcher;
  }

  private static Path chosen(Configuration configuration) {
    if (configuration.launcher().isPresent()) {
      Path p = configuration.launcher().get();
      if (!Files.isExecutable(p)) {
        throw new SandboxFailedException(
            Reason.SETUP_FAILED,
            "configuration parameter nsjunit.launcher=\""
                + p
                + "\" is not an executable file: "
                + "build it with 'mvn -pl native-helper compile' or remove the parameter to use the launcher inside the nsjunit jar");
      }
      return p;
    }
    return extract();
  }

  private static synchronized Path extract() {
    if (extracted != null) {
      return extracted;
    }
    String os = System.getProperty("os.name", "");
    String arch = System.getProperty("os.arch", "");
    if (!os.equals("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      throw new SandboxFailedException(
          Reason.SETUP_FAILED,
          "nsjunit sandboxes need Linux on x86_64; this JVM runs on "
              + os
              + "/"
              + arch
              + " (the jar ships a launcher for linux-x86_64 only)");
    }
    Path target = RunDirectory.get().file("nsjunit-launch");
    try (InputStream in = LauncherBinary.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new SandboxFailedException(
            Reason.SETUP_FAILED,
            "the nsjunit jar has no launcher binary at "
                + RESOURCE
                + " (a build without the native-helper module?): rebuild with 'mvn install' from the nsjunit root");
      }
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
    } catch (IOException e) {
      throw new SandboxFailedException(
          Reason.SETUP_FAILED,
          "could not extract the nsjunit launcher to "
              + target
              + ": "
              + e.getMessage()
              + " (is the temporary directory full or read-only? set java.io.tmpdir to a writable place)",
          e);
    }
    extracted = target;
    return target;
  }
}
