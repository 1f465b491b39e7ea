/**
 * One sandbox run, from the parent's side: the private run directory, the launcher binary, the
 * launcher's options and the child JVM's command line (class path from the class loaders, the
 * JVM options it inherits, class-data sharing), the test's cgroups, and the teardown in its fixed
 * order ({@link dev.nsjunit.internal.launch.SandboxRun}).
 */
package dev.nsjunit.internal.launch;
