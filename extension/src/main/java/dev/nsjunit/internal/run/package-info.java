/**
 * The run pipeline: one isolated test from the parent's side, as a sequence of named steps ({@link
 * dev.nsjunit.internal.run.SandboxRun}): check what the child JVM is made of, let each feature
 * ({@link dev.nsjunit.internal.run.SandboxFeature}) add its part to the launcher's command and its
 * resources to the teardown, start the launcher, drive the sandbox's events to a {@link
 * dev.nsjunit.internal.run.RunRecord}, tear down in a fixed order, and turn the record into the
 * test's outcome ({@link dev.nsjunit.internal.run.Outcome}). Also the private run directory.
 */
package dev.nsjunit.internal.run;
