package dev.nsjunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsjunit.network.HelloServer;
import dev.nsjunit.testing.FixtureMain;
import dev.nsjunit.testing.SandboxKit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Isolated tests run by an ordinary user: the test JVM runs as uid 65534 with no capabilities
 * (util-linux setpriv), from a copy of this classpath that user can read, so every sandbox gets a
 * user namespace of its own (nsjunit.userns=auto). What the kernel allows there works; what it
 * refuses without delegation (cgroups) fails only the tests that ask for it, saying why.
 */
class RootlessTest {
  private static final int NOBODY = 65534;
  private static final Path TOP_LEVEL_TMPFS = Path.of("/nsjunit-rootless-data");
  private static Path copy;
  private static String classpath;

  /**
   * A world-readable copy of this JVM's classpath, and a tmp, home and working directory of that
   * user's.
   */
  @BeforeAll
  static void copyTheClasspathForAnOrdinaryUser() throws IOException {
    copy = Files.createTempDirectory("nsjunit-rootless-test");
    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
    List<String> entries = new ArrayList<>();
    int n = 0;
    for (String entry : System.getProperty("java.class.path").split(":")) {
      Path source = Path.of(entry);
      if (!Files.exists(source)) {
        continue;
      }
      Path target = copy.resolve("cp" + n++ + (Files.isDirectory(source) ? "" : ".jar"));
      copyTree(source, target);
      entries.add(target.toString());
    }
    classpath = String.join(":", entries);
    for (String dir : List.of("tmp", "home", "work")) {
      Path d = Files.createDirectory(copy.resolve(dir));
      Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
      Files.setAttribute(d, "unix:uid", NOBODY);
      Files.setAttribute(d, "unix:gid", NOBODY);
    }
  }

  @AfterAll
  static void removeTheCopy() throws IOException {
    try (Stream<Path> walk = Files.walk(copy)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Test
  void everyNamespaceAnOrdinaryUserMayCreateWorksAndOnlyLimitsFailWithTheReason() throws Exception {
    Map<String, String> results = runAsNobody(Cases.class);
    System.out.println("as uid " + NOBODY + ": " + results);

    assertThat(results)
        .containsOnlyKeys(
            "userNamespaceOfItsOwn()",
            "everyOtherNamespace()",
            "tmpfsWhereTheUserMayNotWrite()",
            "rlimitBelowTheHardLimit()",
            "rlimitAboveTheHardLimit()",
            "topologyWithNamesHostProcessesAndFaults(Network)",
            "cgroupLimit()");
    assertThat(results)
        .allSatisfy(
            (test, line) -> {
              if (!test.equals("rlimitAboveTheHardLimit()") && !test.equals("cgroupLimit()")) {
                assertThat(line).as(test).startsWith("SUCCESSFUL");
              }
            });
    assertThat(results.get("rlimitAboveTheHardLimit()"))
        .startsWith(
            "FAILED dev.nsjunit.SandboxFailedException: @Rlimit(nofile = 1099511627776) is above this JVM's hard limit of")
        .contains("without CAP_SYS_RESOURCE (root) a hard limit can only be lowered");
    assertThat(results.get("cgroupLimit()"))
        .startsWith(
            "FAILED dev.nsjunit.SandboxFailedException: the cgroup limits of this test could not be applied")
        .contains(
            "This JVM runs isolated tests as an ordinary user, in a user namespace: @CgroupLimit then needs a cgroup"
                + " v2 subtree delegated to this user")
        .contains("nsjunit.unprivileged=skip");
    assertThat(TOP_LEVEL_TMPFS)
        .as("the @TmpFs mount point existed only in the sandbox")
        .doesNotExist();
    assertNothingLeftAndNothingOwnedByRoot();
  }

  @Test
  void unprivilegedSkipSkipsOnlyTheTestsThatAskForLimits() throws Exception {
    Map<String, String> results = runAsNobody(LimitCases.class, "nsjunit.unprivileged=skip");
    assertThat(results.get("plain()")).startsWith("SUCCESSFUL");
    assertThat(results.get("limited()"))
        .startsWith("ABORTED org.opentest4j.TestAbortedException: the cgroup limits of")
        .contains("@CgroupLimit then needs a cgroup v2 subtree delegated to this user");
    assertNothingLeftAndNothingOwnedByRoot();
  }

  @Test
  void userNamespaceAlwaysAlsoAsRootIncludingALabThatSharesOne() {
    SandboxKit.run(AlwaysCases.class, Map.of("nsjunit.userns", "always")).assertAllPassed(2);
  }

  @Test
  void anUnknownUserNamespaceModeFailsBeforeAnythingStarts() {
    SandboxKit.Run run = SandboxKit.run(PlainCase.class, Map.of("nsjunit.userns", "sometimes"));
    run.results().testEvents().assertStatistics(s -> s.failed(1));
    Throwable t =
        run.results()
            .testEvents()
            .failed()
            .list()
            .get(0)
            .getPayload(org.junit.platform.engine.TestExecutionResult.class)
            .orElseThrow()
            .getThrowable()
            .orElseThrow();
    assertThat(t)
        .isInstanceOf(org.junit.jupiter.api.extension.ExtensionConfigurationException.class)
        .hasMessageContaining("nsjunit.userns=\"sometimes\"")
        .hasMessageContaining("\"auto\", \"always\", \"never\"");
  }

  /**
   * The fixture's tests by display name → "STATUS message", run by uid 65534 without capabilities.
   */
  private static Map<String, String> runAsNobody(Class<?> fixture, String... properties)
      throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "setpriv",
                "--reuid=" + NOBODY,
                "--regid=" + NOBODY,
                "--clear-groups",
                "--inh-caps=-all",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + copy.resolve("tmp"),
                "-Dfixture.hostIpcNs=" + Files.readSymbolicLink(Path.of("/proc/self/ns/ipc"))));
    for (String p : properties) {
      cmd.add("-D" + p);
    }
    cmd.addAll(List.of("-cp", classpath, FixtureMain.class.getName(), fixture.getName()));
    ProcessBuilder builder =
        new ProcessBuilder(cmd).directory(copy.resolve("work").toFile()).redirectErrorStream(true);
    builder.environment().put("HOME", copy.resolve("home").toString());
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    Map<String, String> results = new LinkedHashMap<>();
    for (String line : out.lines().toList()) {
      if (line.startsWith("test ")) {
        String[] parts = line.substring(5).split(" ", 2);
        results.put(parts[0], parts[1]);
      }
    }
    assertThat(results).as("the fixture JVM's output:\n%s", out).isNotEmpty();
    return results;
  }

  /**
   * The user's run directory is gone (only the class-data sharing cache stays), no root-owned file,
   * no process.
   */
  private static void assertNothingLeftAndNothingOwnedByRoot() throws IOException {
    Path runs = copy.resolve("tmp").resolve("nsjunit-" + NOBODY);
    try (Stream<Path> left = Files.exists(runs) ? Files.list(runs) : Stream.empty()) {
      assertThat(left.map(f -> f.getFileName().toString()))
          .as("left in %s", runs)
          .allMatch(name -> name.equals("cds"));
    }
    for (String dir : List.of("tmp", "home", "work")) {
      try (Stream<Path> files = Files.walk(copy.resolve(dir))) {
        assertThat(files.filter(f -> owner(f) != NOBODY))
            .as("files not owned by uid %d in %s", NOBODY, dir)
            .isEmpty();
      }
    }
    // The class-data sharing dump that the user JVM started in the background may finish after it
    // (seconds); a sandbox or holder left behind would not end at all.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!processesOfTheCopy().isEmpty() && System.nanoTime() < deadline) {
      sleep(100);
    }
    assertThat(processesOfTheCopy()).as("processes of this test's user JVM").isEmpty();
  }

  private static List<String> processesOfTheCopy() {
    return ProcessHandle.allProcesses()
        .filter(h -> h.info().user().orElse("").equals("nobody"))
        .map(h -> h.info().commandLine().orElse(""))
        .filter(c -> c.contains(copy.toString()))
        .toList();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** This process's /proc/self/uid_map, split: inside-id, outside-id, count (one line mapped). */
  private static String[] uidMap() throws IOException {
    return Files.readString(Path.of("/proc/self/uid_map")).trim().split("\\s+");
  }

  private static int owner(Path f) {
    try {
      return (Integer) Files.getAttribute(f, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void copyTree(Path source, Path target) throws IOException {
    try (Stream<Path> walk = Files.walk(source)) {
      for (Path p : walk.toList()) {
        Path t = target.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(
            t,
            PosixFilePermissions.fromString(
                Files.isDirectory(p) || Files.isExecutable(p) ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
  }

  static class Cases {
    @Test
    @FreshPid
    void userNamespaceOfItsOwn() throws Exception {
      // Root inside, the ordinary user outside, nothing else mapped.
      assertThat(uidMap()).containsExactly("0", "65534", "1");
      assertThat(Files.readString(Path.of("/proc/self/setgroups")).trim()).isEqualTo("deny");
      assertThat(ProcessHandle.current().pid()).isEqualTo(2);
      Path made = Files.writeString(Path.of("made-in-the-sandbox"), "x");
      assertThat(Files.getAttribute(made, "unix:uid")).isEqualTo(0);
      Files.delete(made);
    }

    @Test
    @IsolatedNetns
    @Hostname("rootless-box")
    @IsolatedIpc
    @ClockOffset(monotonic = "+20d", boottime = "+30d")
    void everyOtherNamespace() throws Exception {
      assertThat(Collections.list(NetworkInterface.getNetworkInterfaces()))
          .extracting(NetworkInterface::getName)
          .containsExactly("lo");
      assertThat(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip())
          .isEqualTo("rootless-box");
      assertThat(Files.readSymbolicLink(Path.of("/proc/self/ns/ipc")).toString())
          .isNotEqualTo(System.getProperty("fixture.hostIpcNs"));
      assertThat(System.nanoTime()).isGreaterThan(20L * 86_400 * 1_000_000_000L);
      assertThat(Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]))
          .isGreaterThan(30 * 86_400.0);
    }

    @Test
    @TmpFs(path = "/nsjunit-rootless-data", size = "1M")
    void tmpfsWhereTheUserMayNotWrite() throws Exception {
      Path data = TOP_LEVEL_TMPFS.resolve("big");
      assertThatThrownBy(() -> Files.write(data, new byte[2 << 20]))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("No space left on device");
      assertThat(Path.of("/usr/bin/env")).as("the rest of / is still there").exists();
    }

    @Test
    @Rlimit(nofile = 100)
    void rlimitBelowTheHardLimit() throws Exception {
      assertThat(Files.readAllLines(Path.of("/proc/self/limits")))
          .anySatisfy(
              l ->
                  assertThat(l.split("\\s{2,}"))
                      .containsExactly("Max open files", "100", "100", "files"));
    }

    @Test
    @Rlimit(nofile = 1L << 40)
    void rlimitAboveTheHardLimit() {}

    @Test
    @Topology(
        hosts = {"client", "server"},
        links = @Link(between = {"client", "server"}))
    @OnHost("client")
    void topologyWithNamesHostProcessesAndFaults(Network net) throws Exception {
      try (HostProcess server = net.host("server").startJava(HelloServer.class, "8080")) {
        server.awaitPort(8080);
        assertThat(get(HttpClient.newHttpClient(), "http://server:8080/"))
            .isEqualTo("hello from server");
        net.link("client", "server").partition();
        HttpClient fresh = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(1000)).build();
        assertThatThrownBy(() -> get(fresh, "http://server:8080/"))
            .isInstanceOf(HttpConnectTimeoutException.class);
        net.link("client", "server").heal();
        assertThat(get(HttpClient.newHttpClient(), "http://server:8080/"))
            .isEqualTo("hello from server");
        net.link("client", "server").down();
        assertThatThrownBy(
                () -> {
                  try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(net.address("server"), 8080), 5000);
                  }
                })
            .hasMessageContaining("unreachable");
        net.link("client", "server").up();
      }
    }

    @Test
    @CgroupLimit(memory = "256M")
    void cgroupLimit() {}

    private static String get(HttpClient client, String url) throws Exception {
      return client
          .send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    }
  }

  /**
   * Run as root with nsjunit.userns=always: root mapped to root only, also on both hosts of a lab.
   */
  static class AlwaysCases {
    @Test
    @FreshPid
    void sandbox() throws Exception {
      assertThat(uidMap()).containsExactly("0", "0", "1");
    }

    @Test
    @Topology(
        hosts = {"client", "server"},
        links = @Link(between = {"client", "server"}))
    @OnHost("client")
    void labHost(Network net) throws Exception {
      assertThat(uidMap()).containsExactly("0", "0", "1");
      try (HostProcess server = net.host("server").startJava(HelloServer.class, "8080")) {
        server.awaitPort(8080);
        assertThat(Cases.get(HttpClient.newHttpClient(), "http://server:8080/"))
            .isEqualTo("hello from server");
      }
    }
  }

  /**
   * netem on a lab link, for kernels that have sch_netem (not this machine's: .ci/rootless-vm-tests
   * runs it as uid 65534 in the cgroup v2 guest). A connect to a closed port is refused after one
   * round trip (SYN there, RST back), so its shortest duration is the link's delay both ways, with
   * no process on the other host and however slow the machine.
   */
  static class NetemCase {
    @Test
    @Topology(
        hosts = {"client", "server"},
        links =
            @Link(
                between = {"client", "server"},
                delay = "40ms"))
    @OnHost("client")
    void netemDelaysEveryRoundTrip(Network net) throws Exception {
      long fastest = Long.MAX_VALUE;
      for (int i = 0; i < 5; i++) {
        long start = System.nanoTime();
        assertThatThrownBy(
                () -> {
                  try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(net.address("server"), 9), 30_000);
                  }
                })
            .isInstanceOf(java.net.ConnectException.class);
        fastest = Math.min(fastest, (System.nanoTime() - start) / 1_000_000);
      }
      System.out.println(
          "refused connect over a 40ms netem link, fastest of 5: " + fastest + " ms");
      assertThat(fastest).isGreaterThanOrEqualTo(80);
    }
  }

  static class PlainCase {
    @Test
    @FreshPid
    void plain() {}
  }

  static class LimitCases {
    @Test
    @FreshPid
    void plain() {}

    @Test
    @CgroupLimit(pids = 64)
    void limited() {}
  }
}
