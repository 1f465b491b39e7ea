/**
 * Network labs: named hosts in network namespaces kept by holder processes, veth links and
 * bridges made over netlink (jnr-ffi), link faults (partition, down/up, rate, netem) and emulated
 * links through TUN devices.
 */
package dev.nsjunit.internal.network;
