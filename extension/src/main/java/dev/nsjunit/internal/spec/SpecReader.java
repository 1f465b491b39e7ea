package dev.nsjunit.internal.spec;

import dev.nsjunit.ClockOffset;
import dev.nsjunit.FreshPid;
import dev.nsjunit.Hostname;
import dev.nsjunit.IsolatedIpc;
import dev.nsjunit.IsolatedNetns;
import dev.nsjunit.Sandbox;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Reads the nsjunit annotations that apply to one test and validates them into a
 * {@link SandboxSpec}.
 *
 * <p>Annotations are looked up along the test's {@link ExtensionContext} chain: the dynamic test,
 * the method (or template invocation), the test class, then every enclosing class of a
 * {@code @Nested} class. Meta-annotations and {@code @Inherited} class annotations count. Where
 * a value can only be given once (hostname, timeout), the annotation nearest to the test wins.
 */
public final class SpecReader {
  private static final List<Class<? extends Annotation>> SANDBOX_ANNOTATIONS =
      List.of(
          FreshPid.class,
          IsolatedNetns.class,
          IsolatedIpc.class,
          Hostname.class,
          ClockOffset.class,
          Sandbox.class);

  private static final Pattern HOSTNAME =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,62}[A-Za-z0-9])?");

  private SpecReader() {}

  /** Whether any nsjunit annotation applies to this test (or class, for class contexts). */
  public static boolean isSandboxed(ExtensionContext context) {
    for (AnnotatedElement element : elements(context)) {
      for (Class<? extends Annotation> type : SANDBOX_ANNOTATIONS) {
        if (AnnotationSupport.isAnnotated(element, type)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether an nsjunit annotation sits on a class of this context's chain (whole class isolated). */
  public static boolean isClassIsolated(ExtensionContext context) {
    for (AnnotatedElement element : elements(context)) {
      if (element instanceof Class) {
        for (Class<? extends Annotation> type : SANDBOX_ANNOTATIONS) {
          if (AnnotationSupport.isAnnotated(element, type)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Reads and validates the spec; throws ExtensionConfigurationException on a bad value. */
  public static SandboxSpec read(ExtensionContext context) {
    List<AnnotatedElement> nearestFirst = elements(context);
    Set<Namespace> namespaces = EnumSet.of(Namespace.PID, Namespace.MOUNT);
    Optional<String> hostname = Optional.empty();
    Optional<String> sandboxHostname = Optional.empty();
    Duration monotonic = null;
    Duration boottime = null;
    Optional<Duration> timeout = Optional.empty();
    List<String> jvmArgs = new ArrayList<>();

    for (AnnotatedElement element : nearestFirst) {
      if (AnnotationSupport.isAnnotated(element, IsolatedNetns.class)) {
        namespaces.add(Namespace.NET);
      }
      if (AnnotationSupport.isAnnotated(element, IsolatedIpc.class)) {
        namespaces.add(Namespace.IPC);
      }
      Optional<Hostname> h = AnnotationSupport.findAnnotation(element, Hostname.class);
      if (h.isPresent()) {
        namespaces.add(Namespace.UTS);
        if (hostname.isEmpty()) {
          hostname = Optional.of(validHostname(h.get().value(), Attribute.of(Hostname.class, "value")));
        }
      }
      Optional<ClockOffset> clock = AnnotationSupport.findAnnotation(element, ClockOffset.class);
      if (clock.isPresent()) {
        namespaces.add(Namespace.TIME);
        if (monotonic == null) {
          monotonic =
              DurationText.parseOffset(
                  clock.get().monotonic(), Attribute.of(ClockOffset.class, "monotonic"));
          boottime =
              DurationText.parseOffset(
                  clock.get().boottime(), Attribute.of(ClockOffset.class, "boottime"));
          if (clock.get().monotonic().isEmpty() && clock.get().boottime().isEmpty()) {
            throw Attribute.of(ClockOffset.class, "monotonic")
                .invalid("", "at least one of monotonic or boottime set to " + DurationText.SIGNED_FORM);
          }
        }
      }
      Optional<Sandbox> sandbox = AnnotationSupport.findAnnotation(element, Sandbox.class);
      if (sandbox.isPresent()) {
        Sandbox s = sandbox.get();
        namespaces.addAll(EnumSet.of(Namespace.NET, Namespace.IPC, Namespace.UTS));
        if (sandboxHostname.isEmpty()) {
          sandboxHostname = Optional.of(validHostname(s.hostname(), Attribute.of(Sandbox.class, "hostname")));
        }
        if (timeout.isEmpty() && !s.timeout().isEmpty()) {
          timeout = Optional.of(DurationText.parsePositive(s.timeout(), Attribute.of(Sandbox.class, "timeout")));
        }
        List<String> args = new ArrayList<>();
        for (String arg : s.jvmArgs()) {
          if (arg.isBlank() || !arg.startsWith("-")) {
            throw Attribute.of(Sandbox.class, "jvmArgs")
                .invalid(arg, "JVM options, one per element, each starting with '-' (for example \"-Xmx64m\")");
          }
          args.add(arg);
        }
        // Outer annotations first, so options nearer to the test come later and win.
        jvmArgs.addAll(0, args);
      }
    }
    if (hostname.isEmpty()) {
      hostname = sandboxHostname;
    }
    return new SandboxSpec(
        namespaces,
        hostname,
        monotonic == null ? Duration.ZERO : monotonic,
        boottime == null ? Duration.ZERO : boottime,
        timeout,
        jvmArgs,
        isClassIsolated(context));
  }

  static String validHostname(String value, Attribute attribute) {
    if (value.length() > 64 || !HOSTNAME.matcher(value).matches()) {
      throw attribute.invalid(
          value,
          "a host name of 1 to 64 characters: letters, digits, '-' and '.', starting and ending with a letter or digit");
    }
    return value;
  }

  /** Annotated elements of the context chain, nearest to the test first. */
  private static List<AnnotatedElement> elements(ExtensionContext context) {
    List<AnnotatedElement> result = new ArrayList<>();
    for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
      c.getElement().ifPresent(e -> {
        if (!result.contains(e)) {
          result.add(e);
        }
      });
    }
    return Collections.unmodifiableList(result);
  }
}
