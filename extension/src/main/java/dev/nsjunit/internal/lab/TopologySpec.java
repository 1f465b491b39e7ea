package dev.nsjunit.internal.lab;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Hosts, the links between them and the subnet their addresses come from (default 10.213.0.0/16).
 * Checked when built: every mistake is an IllegalArgumentException that names the field, the value
 * and what is allowed.
 */
public record TopologySpec(List<String> hosts, List<LinkSpec> links, String subnet) {
  private static final Pattern HOST_NAME =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

  public TopologySpec {
    if (hosts == null || hosts.isEmpty()) {
      throw new IllegalArgumentException(
          "hosts=" + hosts + " is empty: name at least one host, e.g. {\"client\", \"server\"}");
    }
    hosts = List.copyOf(hosts);
    links = links == null ? List.of() : List.copyOf(links);
    subnet = subnet == null ? Subnet.DEFAULT : subnet;
    Set<String> seen = new HashSet<>();
    for (String h : hosts) {
      if (h == null || !HOST_NAME.matcher(h).matches()) {
        throw new IllegalArgumentException(
            "hosts: \""
                + h
                + "\" is not a host name: 1 to 63 letters, digits and"
                + " '-', not starting or ending with '-'");
      }
      if (h.equalsIgnoreCase("localhost")) {
        throw new IllegalArgumentException(
            "hosts: \"" + h + "\" is reserved (it names 127.0.0.1 in /etc/hosts)");
      }
      if (!seen.add(h.toLowerCase())) {
        throw new IllegalArgumentException(
            "hosts="
                + hosts
                + " names \""
                + h
                + "\" twice: host names must be unique"
                + " (ignoring case, as DNS does)");
      }
    }
    Map<String, Integer> pairs = new HashMap<>();
    for (int i = 0; i < links.size(); i++) {
      LinkSpec l = links.get(i);
      for (String h : l.between()) {
        if (!hosts.contains(h)) {
          throw new IllegalArgumentException(
              "links["
                  + i
                  + "].between="
                  + l.between()
                  + " names \""
                  + h
                  + "\", which is not a host: allowed are "
                  + hosts);
        }
      }
      for (String a : l.between()) {
        for (String b : l.between()) {
          if (a.compareTo(b) < 0) {
            Integer before = pairs.put(a + "\0" + b, i);
            if (before != null) {
              throw new IllegalArgumentException(
                  "links["
                      + before
                      + "] and links["
                      + i
                      + "] both join \""
                      + a
                      + "\" and \""
                      + b
                      + "\": two hosts may share at most one link");
            }
          }
        }
      }
    }
    Subnet.parse(subnet, hosts.size());
  }

  public TopologySpec(List<String> hosts, List<LinkSpec> links) {
    this(hosts, links, Subnet.DEFAULT);
  }
}
