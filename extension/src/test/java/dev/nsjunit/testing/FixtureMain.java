package dev.nsjunit.testing;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * A separate test JVM for tests that must kill or restrict "the JVM that runs the tests": runs one
 * fixture class and prints one line per test: {@code test <name> <STATUS> <message>}.
 */
public final class FixtureMain {
  public static void main(String[] args) {
    TestExecutionListener listener =
        new TestExecutionListener() {
          @Override
          public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (id.isTest()) {
              String message =
                  result
                      .getThrowable()
                      .map(t -> t.getClass().getName() + ": " + t.getMessage())
                      .orElse("");
              System.out.println(
                  "test "
                      + id.getDisplayName()
                      + " "
                      + result.getStatus()
                      + " "
                      + message.replace('\n', ' '));
              System.out.flush();
            }
          }
        };
    LauncherFactory.create()
        .execute(
            LauncherDiscoveryRequestBuilder.request().selectors(selectClass(args[0])).build(),
            listener);
    System.exit(0);
  }
}
