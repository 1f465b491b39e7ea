/**
 * Feature: the namespaces of a sandbox ({@code @FreshPid}, {@code @IsolatedNetns},
 * {@code @IsolatedIpc}, {@code @Hostname}, {@code @Sandbox}, {@code @AllCapabilities}): reading
 * those annotations, the launcher options they become, whether this JVM may create namespaces
 * itself or needs a user namespace ({@link dev.nsjunit.internal.namespaces.PrivilegeProbe}), and a
 * sandbox's {@code /etc/hosts}.
 */
package dev.nsjunit.internal.namespaces;
