package dev.nsjunit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.testing.FixtureMain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command lines IDEs shorten long class paths into (IntelliJ IDEA's and Eclipse's "JAR
 * manifest" / "temporary JAR" and "@argfile" options), started for real: the test JVM sees a
 * one-entry java.class.path or an expanded argument file, and its sandboxes must still get every
 * class.
 */
class ShortenedCommandLineTest {

  @Test
  void aClasspathJarThatOnlyNamesTheClassPathInItsManifest(@TempDir Path tmp) throws Exception {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    List<String> urls = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(":")) {
      urls.add(Path.of(entry).toUri().toString()); // directories end in '/', as the manifest needs
    }
    manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", urls));
    Path classpathJar = tmp.resolve("classpath.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(classpathJar), manifest)) {
      // a manifest and nothing else, like the IDEs' classpath jars
    }

    String out = run(List.of("-cp", classpathJar.toString()));

    assertThat(out).contains("test inSandbox() SUCCESSFUL");
  }

  @Test
  void anArgumentFile(@TempDir Path tmp) throws Exception {
    Path argFile = tmp.resolve("idea_arg_file");
    Files.writeString(argFile, "-cp\n\"" + System.getProperty("java.class.path") + "\"\n");

    String out = run(List.of("@" + argFile));

    assertThat(out).contains("test inSandbox() SUCCESSFUL");
  }

  private static String run(List<String> classPathOptions) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String launcher = System.getProperty("nsjunit.launcher");
    if (launcher != null) {
      cmd.add("-Dnsjunit.launcher=" + launcher);
    }
    cmd.addAll(classPathOptions);
    cmd.add(FixtureMain.class.getName());
    cmd.add(Cases.class.getName());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  static class Cases {
    @org.junit.jupiter.api.Test
    @IsolatedNetns
    void inSandbox() {
      assertThat(ProcessHandle.current().pid()).isEqualTo(2L);
      assertThat(System.getProperty("nsjunit.sandboxed")).isEqualTo("true");
      assertThat(Cases.class.getProtectionDomain().getCodeSource().getLocation().getPath())
          .endsWith("/test-classes/");
    }
  }
}
