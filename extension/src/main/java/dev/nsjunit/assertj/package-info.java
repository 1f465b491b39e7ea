/**
 * Public API: AssertJ assertions for what a sandbox measured ({@link
 * dev.nsjunit.assertj.SandboxUsageAssert}). Only this package needs AssertJ on the test class path.
 */
package dev.nsjunit.assertj;
