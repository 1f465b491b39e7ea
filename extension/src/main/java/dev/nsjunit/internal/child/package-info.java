/**
 * Code that runs inside the sandbox, in the child JVM: {@link dev.nsjunit.internal.child.ChildMain}
 * connects to its channel, runs exactly one test with the JUnit Platform launcher and sends the
 * outcome back; it also records {@code System.exit} calls and answers thread-dump requests.
 */
package dev.nsjunit.internal.child;
