/**
 * Turning what the child sent into the parent's result: the outcome of the one test, and
 * throwables rebuilt with their own type, message, stack and cause where the class is available.
 */
package dev.nsjunit.internal.result;
