package dev.nsjunit.internal.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Every mistake in a topology is refused with the field, the value and what is allowed. */
class TopologySpecTest {

  @Test
  void theDefaultSubnetIsInside10_213() {
    assertThat(new TopologySpec(List.of("a", "b"), List.of(LinkSpec.between("a", "b"))).subnet())
        .isEqualTo("10.213.0.0/16");
  }

  @Test
  void anUnknownHostInALinkIsNamedWithTheHostsAllowed() {
    assertThatThrownBy(
            () ->
                new TopologySpec(
                    List.of("client", "server"), List.of(LinkSpec.between("client", "srever"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "links[0].between=[client, srever] names \"srever\", which is not a host: allowed are [client, server]");
  }

  @Test
  void duplicateHostNamesAreRefused() {
    assertThatThrownBy(() -> new TopologySpec(List.of("a", "b", "A"), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hosts=[a, b, A] names \"A\" twice: host names must be unique");
  }

  @Test
  void aHostNameMustBeAValidDnsLabel() {
    assertThatThrownBy(() -> new TopologySpec(List.of("my_host"), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "hosts: \"my_host\" is not a host name: 1 to 63 letters, digits and '-'");
  }

  @Test
  void aLinkNeedsTwoHosts() {
    assertThatThrownBy(() -> LinkSpec.between("a"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("between=[a] names 1 host(s): a link joins at least two hosts");
  }

  @Test
  void twoLinksMayNotJoinTheSamePair() {
    assertThatThrownBy(
            () ->
                new TopologySpec(
                    List.of("a", "b", "c"),
                    List.of(LinkSpec.between("a", "b"), LinkSpec.between("a", "b", "c"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "links[0] and links[1] both join \"a\" and \"b\": two hosts may share at most one link");
  }

  @Test
  void aBadSubnetIsExplained() {
    List<String> hosts = List.of("a", "b");
    assertThatThrownBy(() -> new TopologySpec(hosts, List.of(), "10.213.0.0"))
        .hasMessage(
            "subnet=\"10.213.0.0\" is not a private IPv4 network in CIDR form with no host bits set, e.g. \"10.213.0.0/16\"");
    assertThatThrownBy(() -> new TopologySpec(hosts, List.of(), "10.213.0.1/16"))
        .hasMessage("subnet=\"10.213.0.1/16\" has host bits set: write \"10.213.0.0/16\"");
    assertThatThrownBy(() -> new TopologySpec(hosts, List.of(), "8.8.8.0/24"))
        .hasMessageStartingWith(
            "subnet=\"8.8.8.0/24\" is not private: allowed are networks inside 10.0.0.0/8");
    assertThatThrownBy(() -> new TopologySpec(hosts, List.of(), "10.213.0.0/31"))
        .hasMessageStartingWith(
            "subnet=\"10.213.0.0/31\" has prefix length /31: allowed are /8 to /30");
    assertThatThrownBy(() -> new TopologySpec(List.of("a", "b", "c"), List.of(), "10.213.0.0/30"))
        .hasMessageStartingWith(
            "subnet=\"10.213.0.0/30\" holds 2 host addresses but the topology has 3 hosts");
  }

  @Test
  void aSubnetOverlappingAnAddressOfThisMachineIsRefused() {
    assertThatThrownBy(
            () ->
                Lab.checkNoOverlap(
                    "10.213.0.0/16",
                    Subnet.parse("10.213.0.0/16", 2),
                    List.of("127.0.0.1/8", "10.213.7.9/24")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "subnet=\"10.213.0.0/16\" overlaps 10.213.7.9/24, an address of this machine's network: choose a"
                + " private subnet that this machine does not use, e.g. \"10.213.0.0/16\"");
    Lab.checkNoOverlap(
        "10.213.0.0/16",
        Subnet.parse("10.213.0.0/16", 2),
        List.of("10.0.0.5/16", "192.168.1.1/24"));
  }

  @Test
  void faultValuesAreCheckedWithFieldValueAndRange() {
    assertThatThrownBy(() -> LinkSpec.between("a", "b").delay("-5ms"))
        .hasMessage("delay=\"-5ms\" is negative: a delay must be 0 or more, e.g. \"40ms\"");
    assertThatThrownBy(() -> LinkSpec.between("a", "b").loss("120%"))
        .hasMessage("loss=\"120.0%\" is out of range: a loss percentage must be from 0% to 100%");
    assertThatThrownBy(() -> LinkSpec.between("a", "b").rate("fast"))
        .hasMessageStartingWith(
            "rate=\"fast\" is not a rate: write a number and one of bit, kbit, mbit, gbit");
    assertThatThrownBy(() -> LinkSpec.between("a", "b").delay("10ms").jitter("20ms"))
        .hasMessage(
            "jitter=\"20ms\" is larger than delay=\"10ms\": jitter must be at most the delay");
    assertThatThrownBy(() -> LinkSpec.between("a", "b").reorder("25%"))
        .hasMessageStartingWith("reorder=\"25.0%\" needs a delay");
  }

  @Test
  void faultTextsReadLikeTc() {
    assertThat(FaultText.rateBitsPerSecond("rate", "1mbit")).isEqualTo(1_000_000);
    assertThat(FaultText.rateBitsPerSecond("rate", "2mbps")).isEqualTo(16_000_000);
    assertThat(FaultText.rateBitsPerSecond("rate", "500kbit")).isEqualTo(500_000);
    assertThat(FaultText.duration("delay", "40ms").toMillis()).isEqualTo(40);
    assertThat(FaultText.duration("delay", "1.5s").toMillis()).isEqualTo(1500);
    assertThat(FaultText.percent("loss", "2%")).isEqualTo(2.0);
    assertThat(Qdiscs.probability(100)).isEqualTo(0xFFFFFFFF);
  }
}
