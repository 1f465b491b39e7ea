#include "errors.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "status_file.h"
#include "userns.h"
#include "userns_diagnosis.h"

static const char *status_file_path;
static pid_t sandbox_pid;
static int error_channel = -1;

void errors_record_status_in(const char *status_file) { status_file_path = status_file; }
void errors_kill_sandbox_on_failure(pid_t sandbox) { sandbox_pid = sandbox; }
void errors_send_to_outer(int error_channel_fd) { error_channel = error_channel_fd; }

static const char *generic_hint(int err)
{
	switch (err) {
	case EPERM:
		return "operation not permitted: run as root or with CAP_SYS_ADMIN; in Docker use --privileged";
	case EACCES:
		return "permission denied: check the path's permissions and that its filesystem is not read-only or noexec";
	case ENOENT:
		return "the path does not exist";
	case ENOTDIR:
		return "a component of the path is not a directory";
	case EROFS:
		return "the filesystem is mounted read-only";
	case ENOMEM:
		return "out of memory (or a kernel limit was reached)";
	case EBUSY:
		return "the resource is busy";
	case EINVAL:
		return "the kernel rejected the arguments: the kernel may be too old for this feature";
	case ENOSYS:
		return "the kernel (or a seccomp profile) does not allow this system call; in Docker try --security-opt seccomp=unconfined";
	default:
		return "unexpected failure; please report this line to the nsjunit maintainers";
	}
}

const char *hint_user_namespace(int err)
{
	static char text[512];
	return describe_userns_blocker("/proc/sys", err, text, sizeof text);
}

const char *hint_for(hint_fn *hint, int err)
{
	const char *h;
	/* Under AppArmor's restriction creating the user namespace works, but the process has no
	 * capabilities in it: whatever step comes next fails, and the restriction is the reason. */
	if ((err == EPERM || err == EACCES) && in_sandbox_user_namespace() &&
	    apparmor_restricts_userns("/proc/sys"))
		return hint_user_namespace(err);
	h = hint ? hint(err) : NULL;
	return h ? h : generic_hint(err);
}

const char *hint_namespaces(int err)
{
	switch (err) {
	case EPERM:
		if (in_sandbox_user_namespace())
			return "refused inside the sandbox's user namespace: a seccomp filter or a security module forbids these namespaces "
			       "to ordinary users (in Docker use --privileged); or run the tests as root";
		return "needs root or CAP_SYS_ADMIN, or a user namespace (--userns=auto, the default, makes one when CAP_SYS_ADMIN is "
		       "missing; nsjunit.userns=never turned that off); in Docker use --privileged; in Kubernetes set securityContext.privileged: true";
	case EINVAL:
		return "the kernel does not support one of these namespace flags (kernel too old or CONFIG_*_NS disabled; clone3 needs Linux 5.3)";
	case ENOSPC:
	case EUSERS:
		return "a namespace limit is reached: raise the matching sysctl user.max_*_namespaces (e.g. user.max_pid_namespaces) or wait for leaked sandboxes to exit";
	case ENOSYS:
		return "clone3 is not available: needs Linux 5.3, and Docker's default seccomp profile blocks it before Docker 20.10 (use --security-opt seccomp=unconfined)";
	case ENOMEM:
		return "out of memory, or pid namespace nesting limit (32) reached";
	}
	return NULL;
}

const char *hint_setns(int err)
{
	switch (err) {
	case ENOENT:
		return "the namespace file does not exist: has the process that owned it exited?";
	case EINVAL:
		return "the path is not a network namespace file (expected e.g. /proc/PID/ns/net or a bind-mounted netns)";
	case EPERM:
		return "joining a namespace needs CAP_SYS_ADMIN over it: without root only namespaces of a user namespace this user "
		       "created can be joined (as --join-holder does); run as root to join others";
	}
	return NULL;
}

const char *hint_time_namespace(int err)
{
	switch (err) {
	case EINVAL:
		return "time namespaces need Linux 5.6 with CONFIG_TIME_NS; or the offset is out of range (clock + offset must stay >= 0)";
	case ERANGE:
		return "offset out of range: the clock's current value plus the offset must stay >= 0 (and below ~146 years)";
	case ENOENT:
		return "the kernel has no time namespaces (needs Linux 5.6 with CONFIG_TIME_NS)";
	case EPERM:
	case EACCES:
		return "time namespaces need CAP_SYS_ADMIN in the launcher's own user namespace: run as root, or let the launcher "
		       "make a user namespace first (--userns=auto or always)";
	case ENOSPC:
		return "the time namespace limit is reached: raise sysctl user.max_time_namespaces";
	}
	return NULL;
}

const char *hint_holder(int err)
{
	switch (err) {
	case ENOENT:
	case ECONNREFUSED:
		return "the namespace holder has ended (its lab was closed, or the holder was killed)";
	case ECONNRESET:
	case EPIPE:
		return "the namespace holder refused the request: only the user that started it may connect";
	case EACCES:
		return "the holder's socket belongs to another user";
	}
	return NULL;
}

const char *hint_cgroup_join(int err)
{
	switch (err) {
	case EPERM:
	case EACCES:
		return "the cgroup is not delegated to this user or /sys/fs/cgroup is mounted read-only (in Docker use --privileged or --cgroupns=host with a writable cgroupfs)";
	case EROFS:
		return "/sys/fs/cgroup is mounted read-only in this container; mount it read-write or use --privileged";
	case ENOENT:
		return "the cgroup directory does not exist: create it (mkdir) before starting the launcher";
	case EBUSY:
		return "cgroup v2 'no internal processes' rule: the cgroup has controllers enabled in cgroup.subtree_control; use a leaf cgroup";
	case EOPNOTSUPP:
		return "the cgroup is threaded or of an unsupported type; use a normal (domain) leaf cgroup";
	case ESRCH:
		return "the sandbox process exited before it could be moved into the cgroup";
	}
	return NULL;
}

const char *hint_mount(int err)
{
	switch (err) {
	case EPERM:
		return "mounting needs CAP_SYS_ADMIN in the sandbox (run as root; in Docker use --privileged); "
		       "in a user namespace only proc, tmpfs, cgroup and bind mounts are allowed, locked mount flags cannot be dropped, "
		       "and /proc can only be mounted where the host's /proc is not partly hidden (as in some containers)";
	case EACCES:
		return "permission denied on the mount point or source; check the path's permissions";
	case ENOENT:
		return "the mount point or source does not exist (the destination of --bind-ro must exist)";
	case EBUSY:
		return "the mount point is busy or already mounted";
	case ENODEV:
		return "the filesystem type is not supported by this kernel";
	case EINVAL:
		return "the kernel rejected the mount options (or the path is not a mount point)";
	case ENOTDIR:
		return "a directory was expected (bind a directory onto a directory, a file onto a file)";
	}
	return NULL;
}

static void print_and_exit(int code, const char *line)
{
	if (error_channel >= 0) {
		/* Inside the sandbox: the outer prints the line and writes the status file, so the
		 * message is not duplicated and the status file reflects it. One write <= PIPE_BUF
		 * is atomic. */
		char record[ERROR_LINE_MAX + 16];
		int n = snprintf(record, sizeof record, "%d %s", code, line);
		if (n > 0 && write(error_channel, record, (size_t)n) < 0)
			fprintf(stderr, "%s\n", line);
		_exit(code);
	}
	fprintf(stderr, "%s\n", line);
	if (sandbox_pid > 0) {
		kill(sandbox_pid, SIGKILL);
		while (waitpid(sandbox_pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (status_file_path)
		write_status_error(status_file_path, code, line);
	exit(code);
}

noreturn void die_with_errno(int err, int code, const char *hint, const char *step,
			     const char *call_fmt, ...)
{
	char call[512];
	char line[ERROR_LINE_MAX];
	va_list ap;

	va_start(ap, call_fmt);
	vsnprintf(call, sizeof call, call_fmt, ap);
	va_end(ap);
	if (err)
		snprintf(line, sizeof line, "nsjunit-launch: %s: %s: %s: %s", step, call,
			 strerror(err), hint);
	else
		snprintf(line, sizeof line, "nsjunit-launch: %s: %s: %s", step, call, hint);
	print_and_exit(code, line);
	__builtin_unreachable();
}

noreturn void die_usage(const char *fmt, ...)
{
	char message[ERROR_LINE_MAX - 64];
	char line[ERROR_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	snprintf(line, sizeof line, "nsjunit-launch: usage: %s", message);
	print_and_exit(EXIT_USAGE, line);
	__builtin_unreachable();
}
