package dev.nsjunit.internal.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Nothing a lab creates outlives it: not after close(), not after SIGKILL of its JVM. */
class LabLifetimeTest {

  @Test
  void closeEndsEveryHolderAndFreesEveryNamespace() {
    Set<String> linksBefore = NetworkTesting.hostLinks();
    Lab lab =
        NetworkTesting.startLab(
            List.of("a", "b", "c", "d"),
            LinkSpec.between("a", "b"),
            LinkSpec.between("b", "c", "d"));
    List<Long> pids = lab.processIds();
    Set<String> namespaces = new HashSet<>();
    for (String h : List.of("a", "b", "c", "d")) {
      namespaces.add(NetworkTesting.namespaceId(lab.netns(h)));
    }
    assertThat(namespaces).hasSize(4);
    assertThat(NetworkTesting.tasksIn(namespaces)).isNotEmpty();

    lab.close();

    System.out.println(
        "Lab.close() of 4 hosts and a switch took "
            + lab.closeDuration().orElseThrow().toMillis()
            + " ms");
    assertThat(pids).noneMatch(LabLifetimeTest::alive);
    assertThat(NetworkTesting.tasksIn(namespaces)).isEmpty();
    assertThat(NetworkTesting.nsfsMounts()).isEmpty();
    assertThat(NetworkTesting.hostLinks()).isEqualTo(linksBefore);
  }

  @Test
  void sigkillOfTheJvmThatStartedALabLeavesNothing() throws Exception {
    Set<String> linksBefore = NetworkTesting.hostLinks();
    Process jvm =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                LabInAJvmMain.class.getName(),
                NetworkTesting.launcher().toString())
            .redirectErrorStream(true)
            .start();
    List<Long> pids = List.of();
    Set<String> namespaces = Set.of();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      StringBuilder all = new StringBuilder();
      while ((line = out.readLine()) != null && !line.equals("ready")) {
        all.append(line).append('\n');
        if (line.startsWith("pids ")) {
          pids = Arrays.stream(line.substring(5).split(" ")).map(Long::valueOf).toList();
        } else if (line.startsWith("netns ")) {
          namespaces = Set.of(line.substring(6).split(" "));
        }
      }
      assertThat(line).as("the lab JVM said:\n%s", all).isEqualTo("ready");
      assertThat(pids).hasSize(14); // 6 hosts and 1 switch: a launcher and a holder each
      assertThat(pids).allMatch(LabLifetimeTest::alive);
      assertThat(NetworkTesting.tasksIn(namespaces)).isNotEmpty();

      jvm.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
      assertThat(jvm.waitFor(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      jvm.destroyForcibly();
    }
    long start = System.nanoTime();
    while (pids.stream().anyMatch(LabLifetimeTest::alive)
        && NetworkTesting.elapsedMs(start) < 5000) {
      NetworkTesting.sleep(10);
    }
    System.out.println(
        "after SIGKILL of the lab's JVM, its holders were gone within "
            + NetworkTesting.elapsedMs(start)
            + " ms");
    assertThat(pids).noneMatch(LabLifetimeTest::alive);
    assertThat(NetworkTesting.tasksIn(namespaces)).isEmpty();
    assertThat(NetworkTesting.nsfsMounts()).isEmpty();
    assertThat(NetworkTesting.hostLinks()).isEqualTo(linksBefore);
  }

  /**
   * Running, not a zombie: a zombie holds no namespace any more, and the orphans of a killed JVM
   * are reaped by this machine's PID 1, which may take a while.
   */
  private static boolean alive(long pid) {
    try {
      String stat = java.nio.file.Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
