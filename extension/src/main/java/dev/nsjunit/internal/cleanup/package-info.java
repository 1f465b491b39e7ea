/**
 * Nothing leaks: the {@link dev.nsjunit.internal.cleanup.Janitor} that cleans up after a test JVM
 * that could not, and {@link dev.nsjunit.internal.cleanup.LeakAudit}, the command that lists what
 * nsjunit left on a machine (used by CI, and after a crashed build).
 */
package dev.nsjunit.internal.cleanup;
