/**
 * nsjunit's public API: the annotations that put a test into a sandbox ({@link
 * dev.nsjunit.FreshPid}, {@link dev.nsjunit.IsolatedNetns}, {@link dev.nsjunit.CgroupLimit}, {@link
 * dev.nsjunit.Topology}, ...), what a test uses inside one ({@link dev.nsjunit.Network}, {@link
 * dev.nsjunit.SandboxUsage}) and the exceptions a sandbox reports. AssertJ assertions are in {@code
 * dev.nsjunit.assertj}. Everything below {@code dev.nsjunit.internal} may change without notice.
 */
package dev.nsjunit;
