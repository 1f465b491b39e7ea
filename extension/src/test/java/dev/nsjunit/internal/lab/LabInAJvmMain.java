package dev.nsjunit.internal.lab;

import java.nio.file.Path;
import java.util.List;

/**
 * Started by {@link LabLifetimeTest} in a JVM of its own: builds a lab (a pair and a LAN, so the
 * switch namespace exists too), prints its processes and namespaces, then waits to be killed.
 */
public final class LabInAJvmMain {
  private LabInAJvmMain() {}

  public static void main(String[] args) throws Exception {
    Lab lab =
        Lab.start(
            new TopologySpec(
                List.of("a", "b", "c"),
                List.of(LinkSpec.between("a", "b").rate("10mbit"), LinkSpec.between("b", "c"))),
            Path.of(args[0]));
    Lab lan =
        Lab.start(
            new TopologySpec(List.of("x", "y", "z"), List.of(LinkSpec.between("x", "y", "z"))),
            Path.of(args[0]));
    StringBuilder pids = new StringBuilder("pids");
    lab.processIds().forEach(p -> pids.append(' ').append(p));
    lan.processIds().forEach(p -> pids.append(' ').append(p));
    System.out.println(pids);
    StringBuilder ns = new StringBuilder("netns");
    for (String h : List.of("a", "b", "c")) {
      ns.append(' ').append(NetworkTesting.namespaceId(lab.netns(h)));
    }
    for (String h : List.of("x", "y", "z")) {
      ns.append(' ').append(NetworkTesting.namespaceId(lan.netns(h)));
    }
    System.out.println(ns);
    System.out.println("ready");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
