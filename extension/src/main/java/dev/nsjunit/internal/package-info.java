/**
 * The front door: {@link dev.nsjunit.internal.SandboxExtension}, which every annotation points at.
 * It intercepts an isolated test and hands it to the run pipeline ({@code internal.run}); in the
 * sandbox's child JVM it lets everything run in place. Everything below this package is internal.
 */
package dev.nsjunit.internal;
