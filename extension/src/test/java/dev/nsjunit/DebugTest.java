package dev.nsjunit;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jdi.Bootstrap;
import com.sun.jdi.LongValue;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.StringReference;
import com.sun.jdi.Value;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.connect.AttachingConnector;
import com.sun.jdi.connect.Connector;
import com.sun.jdi.event.BreakpointEvent;
import com.sun.jdi.event.ClassPrepareEvent;
import com.sun.jdi.event.Event;
import com.sun.jdi.event.EventSet;
import com.sun.jdi.event.VMDeathEvent;
import com.sun.jdi.event.VMDisconnectEvent;
import com.sun.jdi.request.ClassPrepareRequest;
import dev.nsjunit.testing.SandboxKit;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * nsjunit.debug: a real debugger (JDI, which speaks JDWP and does its handshake) attaches to the
 * port nsjunit names, stops at a breakpoint inside the sandbox and reads the test's values there.
 */
class DebugTest {

  @Test
  void aDebuggerStopsInsideASandboxWithItsOwnNetworkThroughTheRelayedPort() throws Exception {
    Debugged debugged = debug("ownNetwork");

    assertThat(debugged.arguments().get(0))
        .as("the debugged JVM is the sandbox's PID 2")
        .isEqualTo(2L);
    assertThat(debugged.arguments().get(1))
        .as("nsjunit.sandboxed in the debugged JVM")
        .isEqualTo("true");
    assertThat((Long) debugged.arguments().get(2))
        .as("network interfaces: loopback only")
        .isEqualTo(1L);
    SandboxKit.Run result = debugged.run().get().assertAllPassed(1);
    assertThat(result.stderr())
        .contains(
            "nsjunit: Cases.ownNetwork() waits for a debugger: attach to localhost:"
                + debugged.port())
        .contains("nsjunit relays the port into it");
  }

  @Test
  void aDebuggerStopsInsideASandboxThatSharesTheHostsNetwork() throws Exception {
    Debugged debugged = debug("hostNetwork");

    assertThat(debugged.arguments().get(0)).isEqualTo(2L);
    assertThat((Long) debugged.arguments().get(2)).as("the host's interfaces").isGreaterThan(1L);
    SandboxKit.Run result = debugged.run().get().assertAllPassed(1);
    assertThat(result.stderr())
        .contains("attach to localhost:" + debugged.port())
        .doesNotContain("relays");
  }

  @Test
  void aTakenPortFailsTheTestBeforeAnySandboxStarts() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      SandboxKit.Run run =
          SandboxKit.runMethod(
              Cases.class,
              "ownNetwork",
              Map.of("nsjunit.debug", Integer.toString(taken.getLocalPort())));

      SandboxFailedException failure = run.sandboxFailureOf("ownNetwork");
      assertThat(failure)
          .hasMessageStartingWith(
              "nsjunit.debug="
                  + taken.getLocalPort()
                  + ": cannot listen on 127.0.0.1:"
                  + taken.getLocalPort());
      assertThat(failure.reason()).isEqualTo(SandboxFailedException.Reason.SETUP_FAILED);
      assertThat(run.stdout()).as("the test body never ran").doesNotContain("reached");
    }
  }

  @Test
  void aPortThatIsNotANumberNamesTheKeyAndTheAllowedValues() {
    Throwable failure =
        SandboxKit.runMethod(Cases.class, "ownNetwork", Map.of("nsjunit.debug", "yes"))
            .onlyFailure();

    assertThat(failure)
        .isInstanceOf(org.junit.jupiter.api.extension.ExtensionConfigurationException.class)
        .hasMessageContaining("nsjunit.debug")
        .hasMessageContaining("yes")
        .hasMessageContaining("1 to 65535");
  }

  /**
   * A fixture run under nsjunit.debug: the port, what the debugger read at the breakpoint, the run.
   */
  private record Debugged(
      int port, List<Object> arguments, CompletableFuture<SandboxKit.Run> run) {}

  /**
   * Starts fixture {@code method} with nsjunit.debug on a free port and debugs it with {@link
   * #stopAtReachedAndResume}.
   */
  private static Debugged debug(String method) throws Exception {
    int port = freePort();
    CompletableFuture<SandboxKit.Run> run =
        CompletableFuture.supplyAsync(
            () ->
                SandboxKit.runMethod(
                    Cases.class, method, Map.of("nsjunit.debug", Integer.toString(port))));
    return new Debugged(port, stopAtReachedAndResume(port), run);
  }

  /** Attaches as an IDE does, stops in Cases.reached(...) and returns its arguments. */
  private static List<Object> stopAtReachedAndResume(int port) throws Exception {
    VirtualMachine vm = attach(port);
    try {
      ClassPrepareRequest prepare = vm.eventRequestManager().createClassPrepareRequest();
      prepare.addClassFilter(Cases.class.getName());
      prepare.enable();
      vm.resume(); // the child starts suspended (suspend=y)
      while (true) {
        EventSet events = vm.eventQueue().remove();
        for (Event e : events) {
          if (e instanceof ClassPrepareEvent prepared) {
            ReferenceType type = prepared.referenceType();
            vm.eventRequestManager()
                .createBreakpointRequest(type.methodsByName("reached").get(0).location())
                .enable();
          } else if (e instanceof BreakpointEvent hit) {
            List<Object> arguments = new java.util.ArrayList<>();
            for (Value v : hit.thread().frame(0).getArgumentValues()) {
              arguments.add(
                  v instanceof LongValue l ? (Object) l.value() : ((StringReference) v).value());
            }
            events.resume();
            return arguments;
          } else if (e instanceof VMDeathEvent || e instanceof VMDisconnectEvent) {
            throw new AssertionError("the sandbox's JVM ended before the breakpoint was hit");
          }
        }
        events.resume();
      }
    } finally {
      try {
        vm.dispose();
      } catch (RuntimeException ignored) {
        // the sandbox may already be gone
      }
    }
  }

  /** The parent opens the port before the sandbox starts; until then a connect is refused. */
  private static VirtualMachine attach(int port) throws Exception {
    AttachingConnector socket =
        Bootstrap.virtualMachineManager().attachingConnectors().stream()
            .filter(c -> c.name().equals("com.sun.jdi.SocketAttach"))
            .findFirst()
            .orElseThrow();
    Map<String, Connector.Argument> args = socket.defaultArguments();
    args.get("hostname").setValue("localhost");
    args.get("port").setValue(Integer.toString(port));
    for (int attempt = 0; ; attempt++) {
      try {
        return socket.attach(args);
      } catch (ConnectException notYet) {
        if (attempt > 600) {
          throw notYet;
        }
        Thread.sleep(100);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static class Cases {
    @org.junit.jupiter.api.Test
    @IsolatedNetns
    void ownNetwork() throws Exception {
      reached(ProcessHandle.current().pid(), System.getProperty("nsjunit.sandboxed"), interfaces());
    }

    @org.junit.jupiter.api.Test
    @FreshPid
    void hostNetwork() throws Exception {
      reached(ProcessHandle.current().pid(), System.getProperty("nsjunit.sandboxed"), interfaces());
    }

    /** Where the debugger stops: its arguments are what the test sees in the sandbox. */
    static void reached(long pid, String sandboxed, long interfaces) {
      System.out.println(
          "reached pid=" + pid + " sandboxed=" + sandboxed + " interfaces=" + interfaces);
    }

    private static long interfaces() throws Exception {
      return java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).size();
    }
  }
}
