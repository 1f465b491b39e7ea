package dev.nsjunit.internal.namespaces;

import dev.nsjunit.internal.run.RunDirectory;
import dev.nsjunit.internal.spec.SandboxSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code /etc/hosts} a sandbox sees when it has a hostname of its own or no network to ask DNS:
 * the machine's file plus {@code 127.0.1.1 <hostname>}, the way Docker and Debian make a host's own
 * name resolvable. Without it {@code InetAddress.getLocalHost()}, which logging frameworks, Kafka
 * and Hazelcast call at start, fails with "Temporary failure in name resolution" in the sandbox.
 * Labs write their own hosts file (every host's lab address), so this is for sandboxes outside
 * labs.
 */
public final class SandboxHostsFile {
  private SandboxHostsFile() {}

  /** Writes the file into the run directory when the sandbox needs one; the caller deletes it. */
  public static Optional<Path> write(SandboxSpec spec, RunDirectory dir, int id)
      throws IOException {
    if (spec.network().isPresent() || !(spec.has(Namespace.UTS) || spec.has(Namespace.NET))) {
      return Optional.empty();
    }
    String name = spec.hostname().orElseGet(SandboxHostsFile::machineHostname);
    if (name.isEmpty()) {
      return Optional.empty();
    }
    Path machine = Path.of("/etc/hosts");
    String hosts =
        Files.isReadable(machine) ? Files.readString(machine, StandardCharsets.UTF_8) : "";
    if (!hosts.isEmpty() && !hosts.endsWith("\n")) {
      hosts += "\n";
    }
    hosts += "127.0.1.1\t" + name + "\t# added by nsjunit: the sandbox's own hostname\n";
    Path file = dir.file("hosts-" + id);
    Files.writeString(file, hosts, StandardCharsets.UTF_8);
    return Optional.of(file);
  }

  private static String machineHostname() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    } catch (IOException e) {
      return "";
    }
  }
}
