/* One way to fail: a single line on stderr that names the step, the system call,
 * errno and what a CI user can do about it, plus a distinct exit code. */
#ifndef NSJUNIT_ERRORS_H
#define NSJUNIT_ERRORS_H

#include <errno.h>
#include <stdnoreturn.h>
#include <sys/types.h>

enum launcher_exit_code {
	EXIT_USAGE = 120,         /* bad command line */
	EXIT_NAMESPACE = 121,     /* clone3 / unshare / setns, namespace holders */
	EXIT_OUTER_SETUP = 122,   /* user namespace id maps, cgroup join, time offsets */
	EXIT_MOUNT = 123,         /* anything mount-related in the sandbox */
	EXIT_SANDBOX_SETUP = 124, /* hostname, loopback, rlimits, chdir, fds */
	EXIT_INTERNAL = 125,      /* unexpected; also "parent gone" and setuid refusal */
	EXIT_EXEC_FAILED = 126,   /* PROGRAM exists but could not be executed */
	EXIT_NOT_FOUND = 127,     /* PROGRAM not found */
};

#define ERROR_LINE_MAX 1024

/* A hint maps errno to advice for the person reading the CI log (NULL: generic advice). */
typedef const char *hint_fn(int err);

/* die_with_error(code, hint_fn_or_NULL, "what was being done", "syscall(%s...)", ...)
 * errno is captured before any argument is evaluated. */
#define die_with_error(code, hint, step, ...)                                                      \
	do {                                                                                       \
		int saved_errno_ = errno;                                                          \
		die_with_errno(saved_errno_, (code), hint_for((hint), saved_errno_), (step),       \
			       __VA_ARGS__);                                                       \
	} while (0)

/* err == 0 leaves out the strerror part (for failures that are not a failed syscall). */
noreturn void die_with_errno(int err, int code, const char *hint, const char *step,
			     const char *call_fmt, ...) __attribute__((format(printf, 5, 6)));

/* "nsjunit-launch: usage: <message>", exit 120. */
noreturn void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

const char *hint_for(hint_fn *hint, int err);

/* Where a failure goes depends on which side of clone3 we are on. */
void errors_record_status_in(const char *status_file); /* outer: also write "error N ..." */
void errors_kill_sandbox_on_failure(pid_t sandbox);    /* outer: SIGKILL + reap it first */
void errors_send_to_outer(int error_channel_fd);       /* sandbox: send the line to the outer */

/* Hints per concern, used with die_with_error. */
hint_fn hint_namespaces;
hint_fn hint_setns;
hint_fn hint_time_namespace;
hint_fn hint_user_namespace;
hint_fn hint_holder;
hint_fn hint_cgroup_join;
hint_fn hint_mount;

#endif
