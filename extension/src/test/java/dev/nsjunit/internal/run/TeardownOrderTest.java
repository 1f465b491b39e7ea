package dev.nsjunit.internal.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The teardown order of a sandbox run: child, lab, cgroups, run directory, whatever fails on the
 * way.
 */
class TeardownOrderTest {

  @Test
  void stagesRunInTheirFixedOrderWhateverOrderTheyWereRegisteredIn() {
    List<String> done = new ArrayList<>();
    Teardown teardown = new Teardown();
    // Registered in the order a run acquires them: files and cgroups first, the child last.
    teardown.at(Teardown.Stage.LAB, () -> done.add("lab"));
    teardown.at(Teardown.Stage.CGROUPS, () -> done.add("cgroups"));
    teardown.at(Teardown.Stage.RUN_DIRECTORY, () -> done.add("status file"));
    teardown.at(Teardown.Stage.RUN_DIRECTORY, () -> done.add("hosts file"));
    teardown.at(Teardown.Stage.CHILD, () -> done.add("channel"));
    teardown.at(Teardown.Stage.CHILD, () -> done.add("launcher"));
    teardown.at(Teardown.Stage.LAB, () -> done.add("host processes"));
    teardown.close();
    assertThat(done)
        .containsExactly(
            "launcher", "channel", "host processes", "lab", "cgroups", "hosts file", "status file");
  }

  @Test
  void aFailingStepStopsNothingAndIsRethrownWithTheOthersSuppressed() {
    List<String> done = new ArrayList<>();
    Teardown teardown = new Teardown();
    teardown.at(
        Teardown.Stage.CHILD,
        () -> {
          throw new IllegalStateException("launcher would not die");
        });
    teardown.at(
        Teardown.Stage.CGROUPS,
        () -> {
          throw new java.io.IOException("group busy");
        });
    teardown.at(Teardown.Stage.RUN_DIRECTORY, () -> done.add("files"));
    assertThatThrownBy(teardown::close)
        .hasMessage("launcher would not die")
        .satisfies(
            t ->
                assertThat(t.getSuppressed())
                    .extracting(Throwable::getMessage)
                    .containsExactly("group busy"));
    assertThat(done).containsExactly("files");
  }

  @Test
  void closingTwiceUndoesNothingTwiceAndALateStepRunsAtOnce() {
    List<String> done = new ArrayList<>();
    Teardown teardown = new Teardown();
    teardown.at(Teardown.Stage.CGROUPS, () -> done.add("cgroups"));
    teardown.close();
    teardown.close();
    teardown.at(Teardown.Stage.RUN_DIRECTORY, () -> done.add("late file"));
    assertThat(done).containsExactly("cgroups", "late file");
  }
}
