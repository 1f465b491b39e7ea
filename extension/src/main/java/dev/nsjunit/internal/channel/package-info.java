/**
 * The channel between the test JVM and a child JVM: bounded, length-prefixed frames over a Unix
 * socket in the private run directory, and the messages they carry (the child's hello with its
 * token, the test to run, report entries, the result, a recorded {@code System.exit}, thread dumps,
 * a lab's network calls made on the child's behalf).
 */
package dev.nsjunit.internal.channel;
