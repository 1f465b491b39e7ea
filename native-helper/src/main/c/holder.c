#include "holder.h"

#include <fcntl.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "errors.h"
#include "signals.h"

static void socket_address(const char *path, struct sockaddr_un *addr, const char *step)
{
	memset(addr, 0, sizeof *addr);
	addr->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof addr->sun_path) {
		errno = ENAMETOOLONG;
		die_with_error(EXIT_USAGE, NULL, step, "socket path \"%s\" (at most %zu bytes)",
			       path, sizeof addr->sun_path - 1);
	}
	memcpy(addr->sun_path, path, strlen(path));
}

/* Only what a lab needs; the holder never opens anything its own user could not open there. */
static int open_for(const struct holder_request *r)
{
	int domain = r->args[0], type = r->args[1], protocol = r->args[2];
	int base_type = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);

	switch (r->op) {
	case HOLDER_NET_NAMESPACE:
		return open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	case HOLDER_USER_NAMESPACE:
		return open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
	case HOLDER_TUN:
		return open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	case HOLDER_SOCKET:
		if (!((domain == AF_INET || domain == AF_INET6) &&
		      (base_type == SOCK_STREAM || base_type == SOCK_DGRAM)) &&
		    !(domain == AF_NETLINK && base_type == SOCK_RAW && protocol == NETLINK_ROUTE)) {
			errno = EAFNOSUPPORT;
			return -1;
		}
		return socket(domain, type | SOCK_CLOEXEC, protocol);
	}
	errno = EINVAL;
	return -1;
}

static void answer(int conn, int err, int fd)
{
	int32_t value = err;
	struct iovec iov = {.iov_base = &value, .iov_len = sizeof value};
	char control[CMSG_SPACE(sizeof(int))];
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};

	if (fd >= 0) {
		struct cmsghdr *c;
		memset(control, 0, sizeof control);
		msg.msg_control = control;
		msg.msg_controllen = sizeof control;
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof fd);
	}
	(void)sendmsg(conn, &msg, MSG_NOSIGNAL); /* a client that left gets nothing */
}

/* One request per connection: a client that stays connected can block nobody else. */
static void serve_one(int conn)
{
	struct ucred peer;
	socklen_t peer_len = sizeof peer;
	struct timeval timeout = {.tv_sec = 2};
	struct holder_request request;
	int fd;

	setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
	if (recv(conn, &request, sizeof request, MSG_WAITALL) != (ssize_t)sizeof request)
		return;
	/* Only the user that owns the holder (mapped into this user namespace): the socket is 0600
	 * in a 0700 directory already; this is the second lock. Checked after reading the request,
	 * so a refused client always learns it the same way: the connection closes unanswered. */
	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &peer, &peer_len) < 0 || peer.uid != getuid())
		return;
	fd = open_for(&request);
	answer(conn, fd < 0 ? errno : 0, fd);
	if (fd >= 0)
		close(fd);
}

noreturn void hold_namespaces(const char *path, struct channels *ch)
{
	struct sockaddr_un addr;
	int server;

	socket_address(path, &addr, "listening as namespace holder");
	server = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (server < 0)
		die_with_error(EXIT_SANDBOX_SETUP, NULL, "listening as namespace holder",
			       "socket(AF_UNIX)");
	umask(0177); /* the socket file is created 0600 */
	if (bind(server, (struct sockaddr *)&addr, sizeof addr) < 0)
		die_with_error(EXIT_SANDBOX_SETUP, NULL, "listening as namespace holder",
			       "bind(\"%s\")", path);
	if (listen(server, 64) < 0)
		die_with_error(EXIT_SANDBOX_SETUP, NULL, "listening as namespace holder",
			       "listen(\"%s\")", path);

	/* Like PROGRAM would: a relayed SIGTERM ends the holder (the outer's SIGKILL does anyway). */
	reset_signal_state();
	/* Setup is done: from here on nothing goes to the error channel (EOF tells the outer). */
	close(ch->error_write);
	ch->error_write = -1;
	if (write(STDOUT_FILENO, "ready\n", 6) != 6)
		_exit(EXIT_INTERNAL); /* the JVM waits for this line; without it nobody uses us */

	for (;;) {
		int conn = accept4(server, NULL, NULL, SOCK_CLOEXEC);
		if (conn < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE ||
			    errno == ENFILE)
				continue;
			_exit(EXIT_INTERNAL);
		}
		serve_one(conn);
		close(conn);
	}
}

int request_from_holder(const char *path, enum holder_op op)
{
	static const char *const step = "getting a namespace from its holder";
	struct sockaddr_un addr;
	struct holder_request request = {.op = (uint8_t)op};
	int32_t err = 0;
	struct iovec iov = {.iov_base = &err, .iov_len = sizeof err};
	char control[CMSG_SPACE(sizeof(int))];
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control,
			     .msg_controllen = sizeof control};
	struct cmsghdr *c;
	int conn, fd;

	socket_address(path, &addr, step);
	conn = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (conn < 0)
		die_with_error(EXIT_NAMESPACE, NULL, step, "socket(AF_UNIX)");
	if (connect(conn, (struct sockaddr *)&addr, sizeof addr) < 0)
		die_with_error(EXIT_NAMESPACE, hint_holder, step, "connect(\"%s\")", path);
	if (send(conn, &request, sizeof request, MSG_NOSIGNAL) != (ssize_t)sizeof request)
		die_with_error(EXIT_NAMESPACE, hint_holder, step, "send(\"%s\", '%c')", path, op);
	ssize_t got = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC | MSG_WAITALL);
	if (got != (ssize_t)sizeof err) {
		if (got >= 0)
			errno = ECONNRESET; /* the holder closed without answering (it refused this user) */
		die_with_error(EXIT_NAMESPACE, hint_holder, step, "recvmsg(\"%s\", '%c')", path,
			       op);
	}
	close(conn);
	if (err != 0) {
		errno = err;
		die_with_error(EXIT_NAMESPACE, NULL, step,
			       "the holder at \"%s\" could not open '%c'", path, op);
	}
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int))) {
		errno = EPROTO;
		die_with_error(EXIT_NAMESPACE, hint_holder, step,
			       "recvmsg(\"%s\", '%c'): no descriptor", path, op);
	}
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}
