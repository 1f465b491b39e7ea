package dev.nsjunit.runners;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jacoco.core.analysis.Analyzer;
import org.jacoco.core.analysis.CoverageBuilder;
import org.jacoco.core.analysis.IClassCoverage;
import org.jacoco.core.analysis.ICounter;
import org.jacoco.core.analysis.IMethodCoverage;
import org.jacoco.core.data.ExecutionDataReader;
import org.jacoco.core.data.ExecutionDataStore;
import org.jacoco.core.tools.ExecFileLoader;
import org.junit.jupiter.api.Test;

/**
 * Reads the JaCoCo exec file the "surefire-two-forks-jacoco" run wrote (two forks, each running
 * sandboxes, three of them at once, every JVM appending at its exit) and checks what reached it.
 */
class SandboxCoverageCheck {
  private static final String GREETING = "dev/nsjunit/runners/Greeting";

  @Test
  void linesRunOnlyInsideSandboxesAreCoveredInTheReport() throws Exception {
    ExecFileLoader loader = new ExecFileLoader();
    loader.load(exec().toFile());
    IClassCoverage greeting = analyze(loader.getExecutionDataStore());
    IMethodCoverage fromSandbox = method(greeting, "fromSandbox");

    System.out.println(
        "nsjunit runner check: Greeting.fromSandbox (run only in sandboxes), lines "
            + fromSandbox.getFirstLine()
            + "-"
            + fromSandbox.getLastLine()
            + ": "
            + fromSandbox.getLineCounter().getCoveredCount()
            + " of "
            + fromSandbox.getLineCounter().getTotalCount()
            + " covered; "
            + loader.getSessionInfoStore().getInfos().size()
            + " sessions in "
            + exec().getFileName());
    assertThat(fromSandbox.getLineCounter().getTotalCount()).isGreaterThan(0);
    for (int line = fromSandbox.getFirstLine(); line <= fromSandbox.getLastLine(); line++) {
      assertThat(greeting.getLine(line).getStatus())
          .as("Greeting.java line %d, run only inside sandboxes", line)
          .isIn(ICounter.FULLY_COVERED, ICounter.EMPTY);
    }
    assertThat(method(greeting, "fromParent").getLineCounter().getMissedCount())
        .as("the parent's own line")
        .isZero();
    assertThat(method(greeting, "neverCalled").getLineCounter().getCoveredCount())
        .as("a line nothing runs")
        .isZero();
  }

  /**
   * Four sandboxes call Greeting.fromSandbox (one of RunnerCheckTest's, the three parallel ones),
   * the parent that runs RunnerCheckTest calls Greeting.fromParent. Each JVM's data is its own
   * session in the file: all five must be there, intact and unmixed, after the concurrent appends.
   */
  @Test
  void everySandboxAppendedItsOwnSessionToTheOneExecFile() throws Exception {
    Map<String, ExecutionDataStore> sessions = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(exec())) {
      ExecutionDataReader reader = new ExecutionDataReader(in);
      List<ExecutionDataStore> current = new ArrayList<>(List.of(new ExecutionDataStore()));
      reader.setSessionInfoVisitor(
          info -> {
            current.set(0, new ExecutionDataStore());
            sessions.put(info.getId() + "@" + info.getStartTimeStamp(), current.get(0));
          });
      reader.setExecutionDataVisitor(data -> current.get(0).put(data));
      reader.read();
    }
    int sandboxes = 0;
    int parents = 0;
    for (ExecutionDataStore session : sessions.values()) {
      if (session.getContents().stream().noneMatch(d -> d.getName().equals(GREETING))) {
        continue; // a JVM that never touched Greeting (two of RunnerCheckTest's sandboxes, the
        // other fork)
      }
      IClassCoverage greeting = analyze(session);
      boolean sandbox = method(greeting, "fromSandbox").getLineCounter().getCoveredCount() > 0;
      boolean parent = method(greeting, "fromParent").getLineCounter().getCoveredCount() > 0;
      assertThat(sandbox && parent)
          .as("one JVM's session never holds both a parent's and a sandbox's data")
          .isFalse();
      sandboxes += sandbox ? 1 : 0;
      parents += parent ? 1 : 0;
    }
    System.out.println(
        "nsjunit runner check: "
            + sessions.size()
            + " sessions; "
            + sandboxes
            + " sandbox JVMs ran Greeting.fromSandbox, "
            + parents
            + " parent JVM ran Greeting.fromParent");
    assertThat(sandboxes).as("sessions of sandboxes that ran Greeting.fromSandbox").isEqualTo(4);
    assertThat(parents).as("sessions of the parent that ran Greeting.fromParent").isEqualTo(1);
    assertThat(sessions.size()).as("6 sandboxes and 1 or 2 forks").isBetween(7, 8);
  }

  private static Path exec() {
    return Path.of(System.getProperty("runners.jacoco.exec"));
  }

  private static IClassCoverage analyze(ExecutionDataStore data) throws Exception {
    CoverageBuilder coverage = new CoverageBuilder();
    Path classFile = Path.of(System.getProperty("runners.classes"), GREETING + ".class");
    try (InputStream in = Files.newInputStream(classFile)) {
      new Analyzer(data, coverage).analyzeClass(in, classFile.toString());
    }
    return coverage.getClasses().iterator().next();
  }

  private static IMethodCoverage method(IClassCoverage c, String name) {
    return c.getMethods().stream().filter(m -> m.getName().equals(name)).findFirst().orElseThrow();
  }
}
