/* Hold mode (--hold SOCKET): the sandbox process keeps its namespaces alive and, instead of
 * running a program, hands out descriptors opened inside them over a Unix socket (SCM_RIGHTS):
 * the namespace files themselves, NETLINK_ROUTE and INET sockets, /dev/net/tun. The JVM that
 * builds a network lab configures the lab through these: an unprivileged, multi-threaded JVM can
 * neither join a user namespace nor setns() into a network namespace, but the kernel checks a
 * netlink socket's requests against the credentials of whoever opened it. Launchers that join a
 * lab host (--join-holder, --userns-of) get the namespace from here too, so a namespace is
 * never named by a pid that could be reused. */
#ifndef NSJUNIT_HOLDER_H
#define NSJUNIT_HOLDER_H

#include <stdint.h>
#include <stdnoreturn.h>

#include "channels.h"

/* Request: 16 bytes, op then three native ints (the socket's domain, type, protocol for 's').
 * Answer: a native int, 0 with the descriptor attached, or the errno of the failed open. */
enum holder_op {
	HOLDER_NET_NAMESPACE = 'n',
	HOLDER_USER_NAMESPACE = 'u',
	HOLDER_SOCKET = 's',
	HOLDER_TUN = 't',
};

struct holder_request {
	uint8_t op;
	uint8_t pad[3];
	int32_t args[3];
};

/* The sandbox side: listens at path (0600), prints "ready" on stdout, serves until killed. */
noreturn void hold_namespaces(const char *path, struct channels *ch);

/* The outer side: one descriptor from the holder at path (a namespace file for 'n' and 'u'). */
int request_from_holder(const char *path, enum holder_op op);

#endif
