package dev.nsjunit;

import dev.nsjunit.internal.SandboxExtension;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A small network of named hosts for the test: each host is a network namespace (loopback up),
 * hosts are joined by veth links ({@link Link}), a link between more than two hosts is a LAN (a
 * bridge in a hidden switch namespace). Each test runs on the host named by {@link OnHost} (the
 * first host when absent); host names resolve everywhere through a generated {@code /etc/hosts}.
 *
 * <p>On a test method the network is fresh for that test. On a class it lives for the class: every
 * test of the class runs on its host, and tests that run concurrently (JUnit parallel execution)
 * talk to each other over the links. Nothing is ever routed to the machine's own network. A {@link
 * Network} parameter gives the test its faults and processes on other hosts. See {@code
 * docs/network.md}.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@ExtendWith(SandboxExtension.class)
public @interface Topology {
  /** Host names (letters, digits, '-'), unique. */
  String[] hosts();

  /** Links between hosts; a host without links can only talk to itself. */
  Link[] links() default {};

  /** Private IPv4 subnet the host addresses are taken from. */
  String subnet() default "10.213.0.0/16";
}
