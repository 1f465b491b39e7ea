/**
 * Reading a test's annotations and the {@code nsjunit.*} configuration parameters into one {@link
 * dev.nsjunit.internal.spec.SandboxSpec}, and rejecting bad input before anything starts, with a
 * message naming the annotation, the attribute, the value and what is allowed.
 */
package dev.nsjunit.internal.spec;
