/**
 * The Java side of the contract with the native launcher ({@code native-helper/}): where its binary
 * comes from, its options, what its status file says ({@link
 * dev.nsjunit.internal.launcher.LauncherStatus}) and the request that stops a sandbox. The C side
 * of the same contract is {@code options.c} and {@code status_file.c}; {@code LauncherContractTest}
 * checks one against the other.
 */
package dev.nsjunit.internal.launcher;
