package dev.nsjunit.internal.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JVM's exit steps run in one fixed order whatever order they were registered in: placement
 * undone, then the run directory, the janitor last (until then it still covers a kill).
 */
class JvmExitTest {
  @Test
  void stepsRunStageByStageLastRegisteredFirstAndAFailureDoesNotStopTheRest() {
    JvmExit exit = new JvmExit(false);
    List<String> ran = new ArrayList<>();
    exit.at(JvmExit.Stage.JANITOR, () -> ran.add("janitor"));
    exit.at(JvmExit.Stage.RUN_DIRECTORY, () -> ran.add("run directory"));
    exit.at(JvmExit.Stage.CGROUP_PLACEMENT, () -> ran.add("placement 1"));
    exit.at(
        JvmExit.Stage.CGROUP_PLACEMENT,
        () -> {
          ran.add("placement 2");
          throw new IllegalStateException("cannot");
        });

    exit.run();

    assertThat(ran).containsExactly("placement 2", "placement 1", "run directory", "janitor");
  }

  @Test
  void eachStepRunsOnceAndNothingRegisteredDuringTheExitIsKept() {
    JvmExit exit = new JvmExit(false);
    List<String> ran = new ArrayList<>();
    exit.at(JvmExit.Stage.RUN_DIRECTORY, () -> ran.add("dir"));
    exit.run();
    exit.at(JvmExit.Stage.JANITOR, () -> ran.add("late"));
    exit.run();
    assertThat(ran).containsExactly("dir");
  }
}
