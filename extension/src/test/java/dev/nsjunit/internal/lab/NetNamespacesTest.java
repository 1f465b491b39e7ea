package dev.nsjunit.internal.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.internal.ffi.LibC;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NetNamespacesTest {

  @Test
  void setnsFromAJavaThreadSwitchesOnlyThatThreadAndNeverLeavesItSwitched() {
    String mine = NetNamespaces.currentThreadNamespace();
    String inside =
        NetNamespaces.callInFreshNamespace("test", NetNamespaces::currentThreadNamespace);
    assertThat(inside).startsWith("net:[").isNotEqualTo(mine);
    assertThat(NetNamespaces.currentThreadNamespace()).isEqualTo(mine);
  }

  @Test
  void aNetlinkSocketOpenedInsideKeepsWorkingThereFromAnotherThread() {
    Set<String> hostLinksBefore = NetworkTesting.hostLinks();
    try (RtNetlink r =
        NetNamespaces.callInFreshNamespace(
            "test", () -> new RtNetlink(NetlinkSocket.open("in a test namespace")))) {
      // This thread is in the JVM's namespace; the socket still talks to the fresh one.
      int selfFd = LibC.get().open("/proc/self/ns/net", LibC.O_RDONLY | LibC.O_CLOEXEC);
      assertThat(r.links().keySet()).containsExactly("lo");
      LibC.get().close(selfFd);
      r.createBridge("br-test");
      r.setUp("br-test", true);
      assertThat(r.links().keySet()).containsExactlyInAnyOrder("lo", "br-test");
    }
    assertThat(NetworkTesting.hostLinks()).isEqualTo(hostLinksBefore);
  }

  @Test
  void aRefusedRequestNamesTheRequestTheNamespaceAndTheErrno() {
    try (RtNetlink r =
        NetNamespaces.callInFreshNamespace(
            "test", () -> new RtNetlink(NetlinkSocket.open("in host \"client\"")))) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.setUp("eth7", true))
          .isInstanceOf(NetlinkException.class)
          .hasMessageStartingWith(
              "RTM_NEWLINK set eth7 up in host \"client\": ENODEV (No such device)");
    }
  }

  @Test
  void netemProbeAgreesWithTheKernelAndNamesTheMissingModule() throws Exception {
    java.nio.file.Path config = java.nio.file.Path.of("/proc/config.gz");
    boolean built = false;
    boolean known = false;
    if (java.nio.file.Files.exists(config)) {
      try (var in = new java.util.zip.GZIPInputStream(java.nio.file.Files.newInputStream(config))) {
        String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        built = text.contains("CONFIG_NET_SCH_NETEM=y") || text.contains("CONFIG_NET_SCH_NETEM=m");
        known = !text.contains("CONFIG_NET_SCH_NETEM=m"); // a module may or may not be installed
      }
    }
    if (java.nio.file.Files.isDirectory(java.nio.file.Path.of("/sys/module/sch_netem"))) {
      built = true;
      known = true;
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(
        known, "cannot tell from this kernel whether netem exists");
    if (built) {
      assertThat(Lab.netemMissing()).isEmpty();
    } else {
      // This machine's kernel (ENVIRONMENT.md); the cgroup-v2 guest has netem and takes the branch
      // above.
      assertThat(Lab.netemMissing())
          .hasValueSatisfying(
              m ->
                  assertThat(m)
                      .startsWith(
                          "netem is not available on this kernel: RTM_NEWQDISC netem (probe) on lo in a probe namespace:"
                              + " ENOENT (No such file or directory)")
                      .contains("the kernel has no sch_netem module: modprobe sch_netem")
                      .contains("linux-modules-extra-$(uname -r)"));
    }
  }
}
