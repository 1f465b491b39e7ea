/**
 * The front door: {@link dev.nsjunit.internal.report.SandboxExtension}, which every annotation
 * points at, intercepts an isolated test, has it run in a sandbox and reports the child's outcome
 * as the test's own; class-level labs, forwarded output, usage report entries.
 */
package dev.nsjunit.internal.report;
