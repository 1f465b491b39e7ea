#include "process.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errors.h"
#include "signals.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* The sandbox's parent is the single-threaded outer launcher, so PDEATHSIG is reliable here
 * (unlike for the outer itself, see supervisor.c). A parent that died before prctl sends no
 * signal: the sandbox then learns it from the channels (report_armed, wait_for_release), and
 * without a new pid namespace getppid() tells it at once. PROGRAM, forked by init, checks that
 * init (PID 1) is still its parent. */
void die_with_parent(pid_t expected_parent, bool check_parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		die_with_error(EXIT_SANDBOX_SETUP, NULL, "tying the sandbox to the launcher",
			       "prctl(PR_SET_PDEATHSIG, SIGKILL)");
	if (check_parent && getppid() != expected_parent)
		_exit(EXIT_INTERNAL);
}

/* A new session without a terminal: PROGRAM cannot open /dev/tty, so it cannot push input into
 * the terminal of whoever runs the tests (TIOCSTI), and terminal signals reach it only as the
 * launcher relays them. */
void leave_the_terminal(void)
{
	if (setsid() < 0)
		die_with_error(EXIT_SANDBOX_SETUP, NULL, "starting a session of its own",
			       "setsid()");
}

void apply_rlimits(const struct options *o)
{
	for (int i = 0; i < o->n_rlimits; i++) {
		const struct rlimit_setting *r = &o->rlimits[i];
		if (setrlimit(r->resource, &r->value) < 0)
			die_with_errno(
				errno, EXIT_SANDBOX_SETUP,
				errno == EPERM
					? "raising a hard limit needs CAP_SYS_RESOURCE (use a value <= ulimit -H), and nofile can never exceed sysctl fs.nr_open"
					: "the value is not allowed for this limit",
				"setting --rlimit", "setrlimit(%s, {%llu, %llu})", r->resource_name,
				(unsigned long long)r->value.rlim_cur,
				(unsigned long long)r->value.rlim_max);
	}
}

void change_directory(const char *dir)
{
	if (chdir(dir) < 0)
		die_with_error(EXIT_SANDBOX_SETUP, NULL, "changing to --chdir directory",
			       "chdir(\"%s\")", dir);
}

/* The outer's stdin is the JVM's "parent alive" pipe; PROGRAM must not read (or hold) it. */
void replace_stdin_with_dev_null(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die_with_error(EXIT_SANDBOX_SETUP, NULL, "replacing stdin", "open(\"/dev/null\")");
	if (dup2(fd, STDIN_FILENO) < 0)
		die_with_error(EXIT_SANDBOX_SETUP, NULL, "replacing stdin", "dup2(/dev/null, 0)");
	close(fd);
}

static int compare_ints(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

static void close_fds_via_proc(const int *keep, int n_keep)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	if (!dir)
		die_with_error(EXIT_SANDBOX_SETUP, NULL, "closing inherited descriptors",
			       "opendir(\"/proc/self/fd\")");
	while ((de = readdir(dir))) {
		int fd = atoi(de->d_name), kept = fd < 3 || fd == dirfd(dir);
		for (int i = 0; i < n_keep && !kept; i++)
			kept = keep[i] == fd;
		if (!kept && de->d_name[0] != '.')
			close(fd);
	}
	closedir(dir);
}

/* Whatever the JVM leaked into the launcher must not reach PROGRAM. The launcher's own
 * pipes stay open (they are O_CLOEXEC, so PROGRAM's exec closes them). */
void close_inherited_fds(const struct options *o, const struct channels *ch)
{
	int keep[MAX_REPEATED + 3];
	int n = 0;
	unsigned int from = 3;

	for (int i = 0; i < o->n_keep_fds; i++) {
		keep[n++] = o->keep_fds[i];
		if (fcntl(o->keep_fds[i], F_SETFD, 0) < 0)
			die_with_error(EXIT_SANDBOX_SETUP, NULL, "keeping --keep-fd descriptor",
				       "fcntl(%d, F_SETFD, 0)", o->keep_fds[i]);
	}
	keep[n++] = ch->error_write;
	if (ch->status_write >= 0)
		keep[n++] = ch->status_write;
	qsort(keep, (size_t)n, sizeof keep[0], compare_ints);

	for (int i = 0; i <= n; i++) {
		unsigned int to = i < n ? (unsigned int)keep[i] : ~0U;
		if (to > from && syscall(SYS_close_range, from, to - 1, 0) < 0) {
			if (errno != ENOSYS && errno != EINVAL)
				die_with_error(EXIT_SANDBOX_SETUP, NULL,
					       "closing inherited descriptors",
					       "close_range(%u, %u)", from, to - 1);
			close_fds_via_proc(keep, n); /* kernel < 5.9 */
			return;
		}
		if (i < n)
			from = (unsigned int)keep[i] + 1;
	}
}

noreturn void exec_program(char **program)
{
	char hint[512];
	int err, code;

	reset_signal_state();
	execvp(program[0], program);
	err = errno;
	code = EXIT_EXEC_FAILED;
	if (err == ENOENT) {
		code = EXIT_NOT_FOUND;
		snprintf(
			hint, sizeof hint,
			"program not found: %s; check the path exists inside the sandbox (after --chdir) or is on PATH",
			program[0]);
	} else if (err == EACCES) {
		snprintf(hint, sizeof hint,
			 "permission denied: %s must be an executable file, not on a noexec mount",
			 program[0]);
	} else if (err == ENOEXEC) {
		snprintf(hint, sizeof hint,
			 "%s is not an executable for this machine (a script needs a #! line)",
			 program[0]);
	} else {
		snprintf(hint, sizeof hint, "%s", hint_for(NULL, err));
	}
	die_with_errno(err, code, hint, "starting the test program", "execvp(\"%s\")", program[0]);
}
