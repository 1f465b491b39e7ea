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
 * Lets the test keep every capability its sandbox's root has, CAP_SYS_ADMIN included: for a test
 * that mounts file systems, changes its hostname at run time or creates namespaces of its own.
 *
 * <p>By default a sandboxed test keeps what tests legitimately use (binding low ports, raw sockets,
 * configuring its own network namespace, files as root, ptrace within its sandbox) and loses what
 * would undo its isolation, CAP_SYS_ADMIN first: with it a test could unmount its {@code /proc} or
 * {@code /etc/hosts}, enter other namespaces, or set the machine's clock. With this annotation it
 * can. Run as root, unmounting {@code /proc} still shows no host process (the host's {@code /proc}
 * is detached below the sandbox's); as an ordinary user (a user namespace) it shows the processes
 * that user can see anyway. The configuration parameter {@code nsjunit.capabilities=all} does the
 * same for every isolated test. Also gives the test a fresh pid namespace (see {@link FreshPid}).
 * See {@code docs/reliability.md}.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@ExtendWith(SandboxExtension.class)
public @interface AllCapabilities {}
