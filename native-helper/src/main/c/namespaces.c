#include "namespaces.h"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errors.h"
#include "holder.h"
#include "userns.h"

/* Our own copy of the kernel's struct clone_args (CLONE_ARGS_SIZE_VER0): including
 * <linux/sched.h> next to glibc's <sched.h> is fragile across header versions. */
struct launcher_clone_args {
	uint64_t flags;
	uint64_t pidfd;
	uint64_t child_tid;
	uint64_t parent_tid;
	uint64_t exit_signal;
	uint64_t stack;
	uint64_t stack_size;
	uint64_t tls;
};

static void describe_flags(unsigned long flags, char *buf, size_t len)
{
	static const struct {
		unsigned long flag;
		const char *name;
	} names[] = {
		{CLONE_NEWPID, "CLONE_NEWPID"}, {CLONE_NEWNS, "CLONE_NEWNS"},
		{CLONE_NEWNET, "CLONE_NEWNET"}, {CLONE_NEWUTS, "CLONE_NEWUTS"},
		{CLONE_NEWIPC, "CLONE_NEWIPC"}, {CLONE_NEWUSER, "CLONE_NEWUSER"},
	};
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (flags & names[i].flag)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "|" : "",
						 names[i].name);
	if (used == 0)
		snprintf(buf, len, "0");
}

static void write_proc_file(const char *path, const char *content, const char *step, hint_fn *hint,
			    int code)
{
	size_t len = strlen(content);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die_with_error(code, hint, step, "open(\"%s\", O_WRONLY)", path);
	if (write(fd, content, len) != (ssize_t)len) {
		int err = errno;
		close(fd);
		errno = err;
		die_with_error(code, hint, step, "write(\"%s\", \"%.*s\")", path,
			       (int)strcspn(content, "\n"), content);
	}
	close(fd);
}

/* A network namespace that belongs to another user namespace (a lab's, made by this user) can
 * only be entered from inside that user namespace: join it first. */
static void join_network_namespace_fd(int fd, const char *what)
{
	int owner = ioctl(fd, NS_GET_USERNS);
	if (owner >= 0) {
		join_user_namespace(owner, what);
		close(owner);
	} else if (errno != EPERM) { /* EPERM: owned by an ancestor of ours, nothing to join */
		die_with_error(EXIT_NAMESPACE, hint_setns, "joining network namespace",
			       "ioctl(%s, NS_GET_USERNS)", what);
	}
	if (setns(fd, CLONE_NEWNET) < 0)
		die_with_error(EXIT_NAMESPACE, hint_setns, "joining network namespace",
			       "setns(%s, CLONE_NEWNET)", what);
	close(fd);
}

void join_network_namespace(const char *path)
{
	char what[4200];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die_with_error(EXIT_NAMESPACE, hint_setns, "joining network namespace",
			       "open(\"%s\")", path);
	snprintf(what, sizeof what, "\"%s\"", path);
	join_network_namespace_fd(fd, what);
}

void join_holder_network_namespace(const char *socket)
{
	char what[4200];
	snprintf(what, sizeof what, "the holder at \"%s\"", socket);
	join_network_namespace_fd(request_from_holder(socket, HOLDER_NET_NAMESPACE), what);
}

void join_holder_user_namespace(const char *socket)
{
	char what[4200];
	int fd = request_from_holder(socket, HOLDER_USER_NAMESPACE);
	snprintf(what, sizeof what, "the holder at \"%s\"", socket);
	join_user_namespace(fd, what);
	close(fd);
}

void create_time_namespace(const struct options *o)
{
	char offsets[128];

	/* unshare(CLONE_NEWTIME) only affects children (time_for_children), and the offsets can
	 * only be written before any process has entered the namespace - so it has to happen
	 * here, before clone3, not with CLONE_NEWTIME in clone3. Both need CAP_SYS_ADMIN in our
	 * own user namespace: without root the outer has entered a user namespace by now. */
	if (unshare(CLONE_NEWTIME) < 0)
		die_with_error(EXIT_NAMESPACE, hint_time_namespace, "creating time namespace",
			       "unshare(CLONE_NEWTIME)");
	snprintf(offsets, sizeof offsets, "monotonic %lld %ld\nboottime %lld %ld\n",
		 o->monotonic_offset.seconds, o->monotonic_offset.nanoseconds,
		 o->boottime_offset.seconds, o->boottime_offset.nanoseconds);
	write_proc_file("/proc/self/timens_offsets", offsets, "setting time namespace offsets",
			hint_time_namespace, EXIT_OUTER_SETUP);
}

pid_t clone_sandbox(unsigned long flags)
{
	/* No stack: the child continues on a copy of ours, like fork(). The child must not use
	 * raise()/abort() or pthreads: glibc's cached thread id still names the outer. */
	struct launcher_clone_args args = {.flags = flags, .exit_signal = SIGCHLD};
	long pid = syscall(SYS_clone3, &args, sizeof args);
	if (pid < 0) {
		char names[128];
		int err = errno;
		describe_flags(flags, names, sizeof names);
		errno = err;
		die_with_error(EXIT_NAMESPACE, hint_namespaces, "creating namespaces", "clone3(%s)",
			       names);
	}
	return (pid_t)pid;
}

void set_hostname(const char *name)
{
	if (sethostname(name, strlen(name)) < 0)
		die_with_error(EXIT_SANDBOX_SETUP, NULL, "setting hostname", "sethostname(\"%s\")",
			       name);
}
