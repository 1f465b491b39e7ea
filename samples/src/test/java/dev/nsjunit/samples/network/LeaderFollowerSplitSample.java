package dev.nsjunit.samples.network;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.HostProcess;
import dev.nsjunit.Link;
import dev.nsjunit.Network;
import dev.nsjunit.OnHost;
import dev.nsjunit.Topology;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A follower that declares the leader dead after missed heartbeats, and takes it back when the
 * network heals: the split-brain window of a leader/follower pair, in a test.
 *
 * <pre>
 *   [follower] ────── [leader]
 *      └ this test       └ EchoServer (stands in for the leader's heartbeat endpoint)
 * </pre>
 */
@Topology(
    hosts = {"follower", "leader"},
    links = @Link(between = {"follower", "leader"}))
class LeaderFollowerSplitSample {

  /** The follower's failure detector: the leader is alive if a heartbeat answers in time. */
  static boolean leaderAlive(EchoClient heartbeat) {
    try {
      return "pong".equals(heartbeat.call("ping"));
    } catch (IOException missed) {
      return false;
    }
  }

  @Test
  @OnHost("follower")
  void followerSeesTheLeaderGoAndComeBack(Network net) throws Exception {
    try (HostProcess leader = net.host("leader").startJava(EchoServer.class, "7100")) {
      leader.awaitPort(7100);
      EchoClient heartbeat = new EchoClient("leader", 7100, Duration.ofMillis(300));
      assertThat(leaderAlive(heartbeat)).isTrue();

      net.link("follower", "leader").partition();
      assertThat(leaderAlive(heartbeat)).as("during the split").isFalse();
      assertThat(leader.isAlive()).as("the leader itself is fine: only the network split").isTrue();

      net.link("follower", "leader").heal();
      assertThat(leaderAlive(heartbeat)).as("after healing").isTrue();
    }
  }
}
