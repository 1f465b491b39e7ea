/**
 * Feature: {@code @ClockOffset}, a time namespace whose CLOCK_MONOTONIC and CLOCK_BOOTTIME are
 * shifted: reading the annotation and the launcher options it becomes.
 */
package dev.nsjunit.internal.clocks;
