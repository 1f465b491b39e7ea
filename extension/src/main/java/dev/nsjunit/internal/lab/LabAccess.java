package dev.nsjunit.internal.lab;

import dev.nsjunit.internal.run.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A running network lab as sandboxes use it: its namespaces (joined with the launcher's {@code
 * --join-net}) and the generated hosts file (bind-mounted over {@code /etc/hosts} in the sandbox's
 * private mount namespace, so host names resolve).
 */
public final class LabAccess implements AutoCloseable {
  private final Lab lab;
  private final Path hostsFile;
  private volatile boolean closed;

  private LabAccess(Lab lab, Path hostsFile) {
    this.lab = lab;
    this.hostsFile = hostsFile;
  }

  public static LabAccess start(
      dev.nsjunit.internal.lab.TopologySpec topology, Path launcher, String userns) {
    RunDirectory dir = RunDirectory.get();
    Lab lab = Lab.start(topology, launcher, dir.path(), userns);
    try {
      Path hosts = dir.file("hosts-" + dir.nextId());
      Files.writeString(hosts, lab.etcHosts());
      return new LabAccess(lab, hosts);
    } catch (IOException | RuntimeException e) {
      lab.close();
      throw new IllegalStateException(
          "could not write the hosts file of the network lab: " + e.getMessage(), e);
    }
  }

  public Lab lab() {
    return lab;
  }

  public Path hostsFile() {
    return hostsFile;
  }

  /** Whether {@link #close} ran: a sandbox started ahead in a closed lab serves no test. */
  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
    lab.close();
    try {
      Files.deleteIfExists(hostsFile);
    } catch (IOException ignored) {
      // removed with the run directory
    }
  }
}
