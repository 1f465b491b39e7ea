#include "namespaces.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errors.h"

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
		{CLONE_NEWPID, "CLONE_NEWPID"}, {CLONE_NEWNS, "CLONE_NEWNS"},   {CLONE_NEWNET, "CLONE_NEWNET"},
		{CLONE_NEWUTS, "CLONE_NEWUTS"}, {CLONE_NEWIPC, "CLONE_NEWIPC"}, {CLONE_NEWUSER, "CLONE_NEWUSER"},
	};
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (flags & names[i].flag)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "|" : "", names[i].name);
	if (used == 0)
		snprintf(buf, len, "0");
}

static void write_proc_file(const char *path, const char *content, const char *step, hint_fn *hint, int code)
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

void join_network_namespace(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die_with_error(EXIT_NAMESPACE, hint_setns, "joining network namespace", "open(\"%s\")", path);
	if (setns(fd, CLONE_NEWNET) < 0)
		die_with_error(EXIT_NAMESPACE, hint_setns, "joining network namespace", "setns(\"%s\", CLONE_NEWNET)", path);
	close(fd);
}

void create_time_namespace(const struct options *o)
{
	char offsets[128];

	/* unshare(CLONE_NEWTIME) only affects children (time_for_children), and the offsets can
	 * only be written before any process has entered the namespace - so it has to happen
	 * here, before clone3, not with CLONE_NEWTIME in clone3. */
	if (unshare(CLONE_NEWTIME) < 0)
		die_with_error(EXIT_NAMESPACE, hint_time_namespace, "creating time namespace", "unshare(CLONE_NEWTIME)");
	snprintf(offsets, sizeof offsets, "monotonic %lld 0\nboottime %lld 0\n", o->monotonic_offset,
		 o->boottime_offset);
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
		die_with_error(EXIT_NAMESPACE, hint_namespaces, "creating namespaces", "clone3(%s)", names);
	}
	return (pid_t)pid;
}

void write_id_maps(pid_t sandbox)
{
	char path[64];
	char map[64];

	/* "deny" first: an unprivileged writer may only set gid_map after denying setgroups. */
	snprintf(path, sizeof path, "/proc/%d/setgroups", (int)sandbox);
	write_proc_file(path, "deny", "writing user namespace id maps", hint_id_maps, EXIT_OUTER_SETUP);
	snprintf(path, sizeof path, "/proc/%d/uid_map", (int)sandbox);
	snprintf(map, sizeof map, "0 %u 1\n", (unsigned)getuid());
	write_proc_file(path, map, "writing user namespace id maps", hint_id_maps, EXIT_OUTER_SETUP);
	snprintf(path, sizeof path, "/proc/%d/gid_map", (int)sandbox);
	snprintf(map, sizeof map, "0 %u 1\n", (unsigned)getgid());
	write_proc_file(path, map, "writing user namespace id maps", hint_id_maps, EXIT_OUTER_SETUP);
}

void set_hostname(const char *name)
{
	if (sethostname(name, strlen(name)) < 0)
		die_with_error(EXIT_SANDBOX_SETUP, NULL, "setting hostname", "sethostname(\"%s\")", name);
}
