package dev.nsjunit.internal.namespaces;

import dev.nsjunit.AllCapabilities;
import dev.nsjunit.FreshPid;
import dev.nsjunit.Hostname;
import dev.nsjunit.IsolatedIpc;
import dev.nsjunit.IsolatedNetns;
import dev.nsjunit.Sandbox;
import dev.nsjunit.internal.launcher.LauncherOption;
import dev.nsjunit.internal.run.SandboxFeature;
import dev.nsjunit.internal.run.SandboxSetup;
import dev.nsjunit.internal.run.Teardown;
import dev.nsjunit.internal.spec.AnnotationChain;
import dev.nsjunit.internal.spec.Attribute;
import dev.nsjunit.internal.spec.SandboxSpec;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The namespaces of a sandbox: pid and mount always, net, ipc and uts on request, a hostname, the
 * capabilities the test keeps, and the user namespace the sandbox is made in when this JVM may not
 * create namespaces itself ({@code nsjunit.userns}).
 */
public final class NamespacesFeature implements SandboxFeature {
  private static final Pattern HOSTNAME =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,62}[A-Za-z0-9])?");

  /** The hostname of a {@code @Sandbox} that gets none from anywhere. */
  static final String DEFAULT_SANDBOX_HOSTNAME = "sandbox";

  @Override
  public List<Class<? extends Annotation>> annotations() {
    return List.of(
        FreshPid.class,
        IsolatedNetns.class,
        IsolatedIpc.class,
        Hostname.class,
        AllCapabilities.class);
  }

  @Override
  public void read(AnnotationChain chain, SandboxSpec.Builder spec) {
    for (AnnotatedElement element : chain.elements()) {
      if (AnnotationSupport.isAnnotated(element, IsolatedNetns.class)) {
        spec.namespaces.add(Namespace.NET);
      }
      if (AnnotationSupport.isAnnotated(element, IsolatedIpc.class)) {
        spec.namespaces.add(Namespace.IPC);
      }
      spec.allCapabilities |= AnnotationSupport.isAnnotated(element, AllCapabilities.class);
      Optional<Hostname> h = AnnotationSupport.findAnnotation(element, Hostname.class);
      if (h.isPresent()) {
        spec.namespaces.add(Namespace.UTS);
        if (spec.hostname.isEmpty()) {
          spec.hostname =
              Optional.of(validHostname(h.get().value(), Attribute.of(Hostname.class, "value")));
        }
      }
      Optional<Sandbox> sandbox = AnnotationSupport.findAnnotation(element, Sandbox.class);
      if (sandbox.isPresent()) {
        spec.namespaces.addAll(EnumSet.of(Namespace.NET, Namespace.IPC, Namespace.UTS));
        spec.defaultHostname = Optional.of(DEFAULT_SANDBOX_HOSTNAME);
        // Checked after @Hostname of the same element: there, @Hostname wins.
        if (spec.hostname.isEmpty() && !sandbox.get().hostname().isEmpty()) {
          spec.hostname =
              Optional.of(
                  validHostname(sandbox.get().hostname(), Attribute.of(Sandbox.class, "hostname")));
        }
      }
    }
  }

  @Override
  public void prepare(SandboxSetup setup) throws IOException {
    SandboxSpec spec = setup.spec();
    String userns = setup.config().userns();
    // "auto" is the launcher's default; a lab host's sandbox shares the lab's user namespace
    // instead.
    if (!userns.equals("auto") && (setup.lab().isEmpty() || spec.network().isEmpty())) {
      setup.launcherOptionJoined(LauncherOption.USERNS, userns);
    }
    for (Namespace ns : Namespace.values()) {
      if (spec.has(ns)) {
        setup.launcherOption(ns.launcherOption());
      }
    }
    spec.hostname().ifPresent(h -> setup.launcherOption(LauncherOption.HOSTNAME, h));
    Optional<Path> hostsFile = SandboxHostsFile.write(spec, setup.directory(), setup.id());
    if (hostsFile.isPresent()) {
      setup.onTeardown(Teardown.Stage.RUN_DIRECTORY, () -> Files.deleteIfExists(hostsFile.get()));
      setup.launcherOption(LauncherOption.BIND_RO, hostsFile.get() + ":/etc/hosts");
    }
    if (spec.allCapabilities() || setup.config().allCapabilities()) {
      setup.launcherOption(LauncherOption.ALL_CAPABILITIES);
    }
  }

  public static String validHostname(String value, Attribute attribute) {
    if (value.length() > 64 || !HOSTNAME.matcher(value).matches()) {
      throw attribute.invalid(
          value,
          "a host name of 1 to 64 characters: letters, digits, '-' and '.', starting and ending with a letter or digit");
    }
    return value;
  }
}
