package dev.nsjunit.internal.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.internal.limits.cgroup.CgroupLimits;
import dev.nsjunit.internal.namespaces.Namespace;
import dev.nsjunit.internal.run.ChildCommand;
import dev.nsjunit.internal.spec.SandboxSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A lab host is joined through its holder's socket (the holder hands out descriptors of its
 * namespaces), never through a pid: a pid can be reused by another process once the holder ends,
 * the socket cannot. Checked on the command lines nsjunit really builds for a real lab.
 */
class LabJoinTest {

  private static Path launcher() {
    for (Path p :
        List.of(
            Path.of("../native-helper/target/native/nsjunit-launch"),
            Path.of("../native-helper/build/nsjunit-launch"))) {
      if (Files.isExecutable(p)) {
        return p.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException(
        "no nsjunit-launch: run 'mvn -B -q -pl native-helper compile' first");
  }

  @Test
  void labHostsAreJoinedThroughTheirHoldersSocketNeverByPid() throws Exception {
    TopologySpec topology =
        new TopologySpec(List.of("a", "b"), List.of(LinkSpec.between("a", "b")));
    List<String> sandbox;
    List<String> hostProcess;
    Path socket;
    try (LabAccess lab = LabAccess.start(topology, launcher(), "auto")) {
      SandboxSpec spec =
          new SandboxSpec(
              EnumSet.of(Namespace.PID, Namespace.MOUNT, Namespace.UTS),
              Optional.of("b"),
              Duration.ZERO,
              Duration.ZERO,
              Optional.empty(),
              List.of(),
              false,
              CgroupLimits.none(),
              false,
              List.of(),
              Map.of(),
              Optional.of(new LabPlan(topology, "b", Optional.empty())),
              false);
      dev.nsjunit.internal.run.SandboxSetup setup =
          new dev.nsjunit.internal.run.SandboxSetup(
              spec, null, 0, null, new dev.nsjunit.internal.run.Teardown(), null, Optional.of(lab));
      new LabFeature().prepare(setup);
      sandbox = setup.launcherOptions();
      hostProcess = ChildCommand.hostProcesses(launcher(), lab, null, null, null).enterHost("a");
      socket = lab.lab().holderSocket("b");
      assertThat(sandbox).containsSubsequence("--join-holder", socket.toString());
      assertThat(hostProcess)
          .containsSubsequence("--join-holder", lab.lab().holderSocket("a").toString());
      for (String arg : concat(sandbox, hostProcess)) {
        assertThat(arg)
            .as("a launcher argument")
            .doesNotMatch(".*/proc/(\\d+|self)/.*")
            .isNotEqualTo("--join-net");
      }
    }
    // Once the lab is gone its handle is dead: joining fails, saying so, instead of finding
    // whatever process may have the holder's pid now.
    List<String> command =
        new ArrayList<>(
            List.of(launcher().toString(), "--join-holder", socket.toString(), "--", "true"));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isEqualTo(121);
    assertThat(out).contains("connect(\"" + socket + "\")");
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
