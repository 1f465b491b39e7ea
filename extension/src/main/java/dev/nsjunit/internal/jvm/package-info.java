/**
 * What the child JVM is made of: its class path, derived from the class loaders that loaded the
 * test ({@link dev.nsjunit.internal.jvm.ChildClasspath}), the options and properties it inherits
 * from the test JVM ({@link dev.nsjunit.internal.jvm.InheritedJvmOptions}), class-data sharing
 * archives, the debug port relay, and the JUnit configuration the parent's launcher ran with.
 */
package dev.nsjunit.internal.jvm;
