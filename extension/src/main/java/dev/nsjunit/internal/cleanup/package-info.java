/**
 * What cleans up after a test JVM that could not: its {@link dev.nsjunit.internal.cleanup.Janitor}.
 */
package dev.nsjunit.internal.cleanup;
