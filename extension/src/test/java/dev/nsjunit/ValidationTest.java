package dev.nsjunit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.testing.SandboxKit;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input fails the test before anything starts, naming annotation, attribute, value and the
 * allowed form.
 */
class ValidationTest {

  static Stream<Arguments> invalidAnnotations() {
    return Stream.of(
        Arguments.of(
            "hostnameTooLong",
            "@Hostname(value = \"" + "a".repeat(65) + "\")",
            "1 to 64 characters"),
        Arguments.of("hostnameWithSpace", "@Hostname(value = \"bad host\")", "letters, digits"),
        Arguments.of("hostnameEmpty", "@Hostname(value = \"\")", "1 to 64 characters"),
        Arguments.of(
            "hostnameStartsWithDash", "@Hostname(value = \"-node\")", "starting and ending"),
        Arguments.of("clockNotADuration", "@ClockOffset(monotonic = \"abc\")", "signed duration"),
        Arguments.of("clockUnknownUnit", "@ClockOffset(boottime = \"+3w\")", "signed duration"),
        Arguments.of(
            "clockNothingSet",
            "@ClockOffset(monotonic = \"\")",
            "at least one of monotonic or boottime"),
        Arguments.of("timeoutNegative", "@Sandbox(timeout = \"-5s\")", "positive duration"),
        Arguments.of("timeoutZero", "@Sandbox(timeout = \"0s\")", "positive duration"),
        Arguments.of("jvmArgNotAnOption", "@Sandbox(jvmArgs = \"Xmx64m\")", "starting with '-'"),
        Arguments.of(
            "memoryUnknownSuffix", "@CgroupLimit(memory = \"64Q\")", "binary suffix K, M or G"),
        Arguments.of("memoryNegative", "@CgroupLimit(memory = \"-1M\")", "binary suffix K, M or G"),
        Arguments.of("memoryZero", "@CgroupLimit(memory = \"0\")", "greater than zero"),
        Arguments.of("memoryOverflow", "@CgroupLimit(memory = \"999999999999999G\")", "at most"),
        Arguments.of(
            "swapWithoutMemory", "@CgroupLimit(memorySwap = \"64M\")", "unless memory is set"),
        Arguments.of("cpusZero", "@CgroupLimit(cpus = \"0\")", "positive number of CPUs"),
        Arguments.of("cpusNotANumber", "@CgroupLimit(cpus = \"abc\")", "positive number of CPUs"),
        Arguments.of("cpusNegative", "@CgroupLimit(cpus = \"-1\")", "positive number of CPUs"),
        Arguments.of("cpusetGarbage", "@CgroupLimit(cpuset = \"first\")", "list of CPU numbers"),
        Arguments.of(
            "pidsNegative", "@CgroupLimit(pids = \"-5\")", "positive maximum number of tasks"),
        Arguments.of("limitNothingSet", "@CgroupLimit(memory = \"\")", "at least one limit"),
        Arguments.of(
            "expectOomWithoutMemory", "@CgroupLimit(memory = \"\")", "which @ExpectOomKill needs"),
        Arguments.of("tmpfsRelative", "@TmpFs(path = \"data\")", "absolute directory path"),
        Arguments.of("tmpfsOnProc", "@TmpFs(path = \"/proc/x\")", "other than /, /proc"),
        Arguments.of("tmpfsRoot", "@TmpFs(path = \"/\")", "other than /, /proc"),
        Arguments.of("tmpfsBadSize", "@TmpFs(size = \"8MB\")", "binary suffix K, M or G"),
        Arguments.of("rlimitBelowMinusOne", "@Rlimit(nofile = \"-5\")", "0 or more, or -1"),
        Arguments.of("topologyUnknownHostInLink", "@Topology is invalid", "nobody"),
        Arguments.of("topologyDuplicateHosts", "@Topology is invalid", "twice"),
        Arguments.of("topologyLossOver100", "@Topology is invalid", "from 0% to 100%"),
        Arguments.of("topologyNegativeDelay", "@Topology is invalid", "-5ms"),
        Arguments.of("topologyBadSubnet", "@Topology is invalid", "10.213.0.0/33"),
        Arguments.of("topologyPublicSubnet", "@Topology is invalid", "8.8.0.0/16"),
        Arguments.of("onHostUnknown", "@OnHost(value = \"db\")", "one of the hosts of @Topology"),
        Arguments.of("onHostWithoutTopology", "@OnHost(value = \"a\")", "a host of a @Topology"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidAnnotations")
  void invalidAnnotationValueFailsWithAClearMessage(String method, String names, String allowed) {
    Throwable t = SandboxKit.runMethod(Cases.class, method).onlyFailure();
    assertThat(t).isInstanceOf(ExtensionConfigurationException.class);
    assertThat(t.getMessage())
        .contains(names)
        .containsAnyOf("allowed is", "allowed are", "must be")
        .contains(allowed);
  }

  static Stream<Arguments> invalidConfiguration() {
    return Stream.of(
        Arguments.of("nsjunit.timeout", "ten minutes", "positive duration"),
        Arguments.of("nsjunit.bootTimeout", "-1s", "positive duration"),
        Arguments.of("nsjunit.unprivileged", "ignore", "\"fail\" or \"skip\""),
        Arguments.of("nsjunit.fastStart", "yes", "\"true\" or \"false\""),
        Arguments.of("nsjunit.jvmArgs", "-Xmx64m Xss1m", "each starting with '-'"),
        Arguments.of("nsjunit.capabilities", "root", "\"restricted\", \"all\""),
        Arguments.of("nsjunit.prestart", "many", "\"auto\" or a number of sandboxes from 0 (off)"),
        Arguments.of("nsjunit.prestart", "-1", "\"auto\" or a number of sandboxes from 0 (off)"));
  }

  @ParameterizedTest(name = "{0}={1}")
  @MethodSource("invalidConfiguration")
  void invalidConfigurationFailsWithAClearMessage(String key, String value, String allowed) {
    Throwable t = SandboxKit.run(ConfigCases.class, Map.of(key, value)).onlyFailure();
    assertThat(t).isInstanceOf(ExtensionConfigurationException.class);
    assertThat(t.getMessage()).contains(key + "=\"" + value + "\"").contains(allowed);
  }

  static class Cases {
    @org.junit.jupiter.api.Test
    @Hostname("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
    void hostnameTooLong() {}

    @org.junit.jupiter.api.Test
    @Hostname("bad host")
    void hostnameWithSpace() {}

    @org.junit.jupiter.api.Test
    @Hostname("")
    void hostnameEmpty() {}

    @org.junit.jupiter.api.Test
    @Hostname("-node")
    void hostnameStartsWithDash() {}

    @org.junit.jupiter.api.Test
    @ClockOffset(monotonic = "abc")
    void clockNotADuration() {}

    @org.junit.jupiter.api.Test
    @ClockOffset(boottime = "+3w")
    void clockUnknownUnit() {}

    @org.junit.jupiter.api.Test
    @ClockOffset
    void clockNothingSet() {}

    @org.junit.jupiter.api.Test
    @Sandbox(timeout = "-5s")
    void timeoutNegative() {}

    @org.junit.jupiter.api.Test
    @Sandbox(timeout = "0s")
    void timeoutZero() {}

    @org.junit.jupiter.api.Test
    @Sandbox(jvmArgs = "Xmx64m")
    void jvmArgNotAnOption() {}

    @org.junit.jupiter.api.Test
    @CgroupLimit(memory = "64Q")
    void memoryUnknownSuffix() {}

    @org.junit.jupiter.api.Test
    @CgroupLimit(memory = "-1M")
    void memoryNegative() {}

    @org.junit.jupiter.api.Test
    @CgroupLimit(memory = "0")
    void memoryZero() {}

    @org.junit.jupiter.api.Test
    @CgroupLimit(memory = "999999999999999G")
    void memoryOverflow() {}

    @org.junit.jupiter.api.Test
    @CgroupLimit(memorySwap = "64M")
    void swapWithoutMemory() {}

    @org.junit.jupiter.api.Test
    @CgroupLimit(cpus = "0")
    void cpusZero() {}

    @org.junit.jupiter.api.Test
    @CgroupLimit(cpus = "abc")
    void cpusNotANumber() {}

    @org.junit.jupiter.api.Test
    @CgroupLimit(cpus = "-1")
    void cpusNegative() {}

    @org.junit.jupiter.api.Test
    @CgroupLimit(cpuset = "first")
    void cpusetGarbage() {}

    @org.junit.jupiter.api.Test
    @CgroupLimit(pids = -5)
    void pidsNegative() {}

    @org.junit.jupiter.api.Test
    @CgroupLimit
    void limitNothingSet() {}

    @org.junit.jupiter.api.Test
    @ExpectOomKill
    void expectOomWithoutMemory() {}

    @org.junit.jupiter.api.Test
    @TmpFs(path = "data", size = "8M")
    void tmpfsRelative() {}

    @org.junit.jupiter.api.Test
    @TmpFs(path = "/proc/x", size = "8M")
    void tmpfsOnProc() {}

    @org.junit.jupiter.api.Test
    @TmpFs(path = "/", size = "8M")
    void tmpfsRoot() {}

    @org.junit.jupiter.api.Test
    @TmpFs(path = "/data", size = "8MB")
    void tmpfsBadSize() {}

    @org.junit.jupiter.api.Test
    @Rlimit(nofile = -5)
    void rlimitBelowMinusOne() {}

    @org.junit.jupiter.api.Test
    @Topology(
        hosts = {"a", "b"},
        links = @Link(between = {"a", "nobody"}))
    void topologyUnknownHostInLink() {}

    @org.junit.jupiter.api.Test
    @Topology(hosts = {"a", "a"})
    void topologyDuplicateHosts() {}

    @org.junit.jupiter.api.Test
    @Topology(
        hosts = {"a", "b"},
        links =
            @Link(
                between = {"a", "b"},
                loss = "101%"))
    void topologyLossOver100() {}

    @org.junit.jupiter.api.Test
    @Topology(
        hosts = {"a", "b"},
        links =
            @Link(
                between = {"a", "b"},
                delay = "-5ms"))
    void topologyNegativeDelay() {}

    @org.junit.jupiter.api.Test
    @Topology(
        hosts = {"a"},
        subnet = "10.213.0.0/33")
    void topologyBadSubnet() {}

    @org.junit.jupiter.api.Test
    @Topology(
        hosts = {"a"},
        subnet = "8.8.0.0/16")
    void topologyPublicSubnet() {}

    @org.junit.jupiter.api.Test
    @Topology(hosts = {"a"})
    @OnHost("db")
    void onHostUnknown() {}

    @org.junit.jupiter.api.Test
    @OnHost("a")
    void onHostWithoutTopology() {}
  }

  static class ConfigCases {
    @org.junit.jupiter.api.Test
    @FreshPid
    void any() {}
  }
}
