/**
 * Feature: resource limits ({@code @CgroupLimit}, {@code @ExpectOomKill}, {@code @Rlimit},
 * {@code @TmpFs}): reading those annotations, the test's cgroup (the machinery is in {@code
 * limits.cgroup}), hard rlimits checked before start, tmpfs mount points, the usage report entries,
 * and the once-per-class report when limits cannot be applied here.
 */
package dev.nsjunit.internal.limits;
