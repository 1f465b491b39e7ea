/**
 * The libc calls nsjunit makes from Java, through jnr-ffi ({@link dev.nsjunit.internal.ffi.LibC}):
 * one binding for the network lab (sockets, netlink, setns, TUN devices) and the cgroup directory
 * locks. A leaf package: features use it, it uses nothing of nsjunit's.
 */
package dev.nsjunit.internal.ffi;
