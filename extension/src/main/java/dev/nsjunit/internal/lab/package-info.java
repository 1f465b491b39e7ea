/**
 * Feature: network labs ({@code @Topology}, {@code @OnHost}, {@code Network}): named hosts in
 * network namespaces kept by holder processes, veth links and bridges made over netlink (jnr-ffi),
 * link faults (partition, down/up, rate, netem) and emulated links through TUN devices; the
 * per-test or per-class lab in JUnit's store; the child's {@code Network} and the calls it makes to
 * the parent.
 */
package dev.nsjunit.internal.lab;
