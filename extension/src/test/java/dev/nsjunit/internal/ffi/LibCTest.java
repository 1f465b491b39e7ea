package dev.nsjunit.internal.ffi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.Test;

/** The libc binding as a test JVM on a newer JDK meets it: no warnings nsjunit could avoid. */
class LibCTest {
  /** Where CI and the development machines have JDK 25 (as in ClassDataSharingTest). */
  private static final Path JDK_25_JAVA = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");

  /**
   * On JDK 24+ jffi's default memory access through sun.misc.Unsafe makes the JVM print four
   * warnings into the user's build (JEP 498); nsjunit has jffi use its JNI access instead. The
   * user's own choice of {@code jffi.unsafe.disabled} stands, which is also how this test shows it
   * would see the warnings.
   */
  @Test
  void onJdk25TheLibcCallsAndNativeMemoryWorkWithoutUnsafeWarnings() throws Exception {
    assumeTrue(
        Files.isExecutable(JDK_25_JAVA),
        "this test needs JDK 25 at "
            + JDK_25_JAVA
            + " (apt: temurin-25-jdk), present on CI; not installed here");
    String quiet = runOnJdk25();
    assertThat(quiet)
        .contains("getpid matches", "native memory round trip 1234567890123")
        .doesNotContain("sun.misc.Unsafe");

    String usersChoice = runOnJdk25("-Djffi.unsafe.disabled=false");
    assertThat(usersChoice)
        .as("with the user's own jffi.unsafe.disabled=false")
        .contains("native memory round trip 1234567890123")
        .contains("WARNING: sun.misc.Unsafe::");
  }

  private static String runOnJdk25(String... options) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(JDK_25_JAVA.toString()));
    cmd.addAll(List.of(options));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Jdk25Main.class.getName()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  /** Calls libc and writes and reads native memory, as the network lab does. */
  static final class Jdk25Main {
    public static void main(String[] args) {
      LibC c = LibC.get();
      if (c.getpid() == ProcessHandle.current().pid()) {
        System.out.println("getpid matches");
      }
      Pointer block = Memory.allocateDirect(jnr.ffi.Runtime.getRuntime(c), 64, true);
      block.putLong(8, 1234567890123L);
      System.out.println("native memory round trip " + block.getLong(8));
    }
  }
}
