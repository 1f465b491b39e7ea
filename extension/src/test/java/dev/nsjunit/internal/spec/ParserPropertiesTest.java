package dev.nsjunit.internal.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * Properties of the parsers behind every annotation attribute: accept the form, refuse the rest
 * clearly.
 */
class ParserPropertiesTest {
  private static final Attribute ATTRIBUTE = new Attribute("@Test", "value");

  @Property
  void sizesWithSuffixesAreBinaryMultiples(@ForAll @LongRange(min = 1, max = 1_000_000) long n) {
    assertThat(SizeText.parse(n + "K", ATTRIBUTE)).isEqualTo(n << 10);
    assertThat(SizeText.parse(n + "M", ATTRIBUTE)).isEqualTo(n << 20);
    assertThat(SizeText.parse(n + "G", ATTRIBUTE)).isEqualTo(n << 30);
    assertThat(SizeText.parse(Long.toString(n), ATTRIBUTE)).isEqualTo(n);
  }

  @Property
  void anySizeTextEitherParsesPositiveOrNamesTheAllowedForm(
      @ForAll @StringLength(max = 20) String text) {
    try {
      assertThat(SizeText.parse(text, ATTRIBUTE)).isPositive();
    } catch (ExtensionConfigurationException e) {
      assertThat(e.getMessage())
          .contains("@Test(value = \"" + text + "\")")
          .contains("allowed is a size in bytes");
    }
  }

  @Property
  void signedOffsetsRoundTrip(
      @ForAll @IntRange(min = -100_000, max = 100_000) int n, @ForAll("units") String unit) {
    Duration d = DurationText.parseOffset((n >= 0 ? "+" : "") + n + unit, ATTRIBUTE);
    Duration expected =
        switch (unit) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          case "d" -> Duration.ofDays(n);
          default -> throw new AssertionError(unit);
        };
    assertThat(d).isEqualTo(expected);
    assertThat(DurationText.parseOffset(DurationText.format(d), ATTRIBUTE)).isEqualTo(d);
  }

  @Provide
  Arbitrary<String> units() {
    return Arbitraries.of("ms", "s", "m", "h", "d");
  }

  @Property
  void anyDurationTextEitherParsesOrNamesTheAllowedForm(
      @ForAll @StringLength(max = 16) String text) {
    try {
      assertThat(DurationText.parsePositive(text, ATTRIBUTE)).isPositive();
    } catch (ExtensionConfigurationException e) {
      assertThat(e.getMessage())
          .contains("@Test(value = \"" + text + "\")")
          .contains("allowed is a positive duration");
    }
  }

  @Property
  void validHostnamesAreAccepted(@ForAll("hostnames") String name) {
    assertThat(dev.nsjunit.internal.namespaces.NamespacesFeature.validHostname(name, ATTRIBUTE))
        .isEqualTo(name);
  }

  @Provide
  Arbitrary<String> hostnames() {
    Arbitrary<String> inner =
        Arbitraries.strings().withCharRange('a', 'z').numeric().withChars('-', '.').ofMaxLength(62);
    Arbitrary<Character> edge = Arbitraries.chars().range('a', 'z');
    return net.jqwik.api.Combinators.combine(edge, inner, edge).as((a, m, b) -> a + m + b);
  }

  @Property
  void hostnamesLongerThan64AreRefused(@ForAll @IntRange(min = 65, max = 300) int length) {
    assertThatThrownBy(
            () ->
                dev.nsjunit.internal.namespaces.NamespacesFeature.validHostname(
                    "a".repeat(length), ATTRIBUTE))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessageContaining("1 to 64 characters");
  }
}
