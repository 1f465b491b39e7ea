package dev.nsjunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.FreshPid;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Fails on purpose, to show that a failure in the sandbox reads exactly like a local one: same
 * exception type, message and stack, and expected/actual kept, so an IDE opens its diff view.
 * Excluded from the build; run it with: {@code mvn -pl samples -am verify
 * -Dsamples.groups=failure-demo -Dsamples.excludedGroups=none}
 */
@Tag("failure-demo")
class FailingDiffSample {

  @Test
  @FreshPid
  void greetingDiffersInOneWord() {
    String greeting = "Hello, sandboxed world";
    assertThat(greeting).isEqualTo("Hello, isolated world");
  }
}
