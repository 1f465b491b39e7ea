/**
 * Resource limits through cgroups: detecting v1, v2 and hybrid layouts from mountinfo, the drivers
 * that create a test's groups and write its limits, where test groups may go on v2 (own cgroup,
 * systemd scope, shared leaf), usage and OOM counts, and removing groups, with the sweep of groups
 * left by dead JVMs.
 */
package dev.nsjunit.internal.limits.cgroup;
