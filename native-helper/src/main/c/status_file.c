#include "status_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *signal_name(int sig, char *buf, unsigned len)
{
	const char *abbrev = sigabbrev_np(sig);
	if (abbrev)
		snprintf(buf, len, "SIG%s", abbrev);
	else if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, len, "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, len, "SIG%d", sig);
	return buf;
}

/* Not fatal: the exit code still tells the story, and dying here would hide the real result. */
static void write_line(const char *path, const char *line)
{
	char tmp[PATH_MAX];
	int fd;
	size_t len = strlen(line);

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
		fprintf(stderr, "nsjunit-launch: writing status file: path too long: %s\n", path);
		return;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		  0600); /* private, like the run directory it is written to */
	if (fd < 0 || write(fd, line, len) != (ssize_t)len || write(fd, "\n", 1) != 1 ||
	    close(fd) < 0 || rename(tmp, path) < 0) {
		fprintf(stderr,
			"nsjunit-launch: writing status file: %s: %s: check that its directory exists and is writable\n",
			tmp, strerror(errno));
		if (fd >= 0)
			unlink(tmp);
	}
}

void write_status_wait(const char *path, int status)
{
	char line[128];
	char name[32];

	if (WIFSIGNALED(status))
		snprintf(line, sizeof line, "signal %d %s%s", WTERMSIG(status),
			 signal_name(WTERMSIG(status), name, sizeof name),
			 WCOREDUMP(status) ? " core" : "");
	else
		snprintf(line, sizeof line, "exit %d", WEXITSTATUS(status));
	write_line(path, line);
}

void write_status_error(const char *path, int code, const char *message)
{
	char line[1200];
	snprintf(line, sizeof line, "error %d %s", code, message);
	write_line(path, line);
}

void write_status_parent_gone(const char *path) { write_line(path, "parent-gone"); }
void write_status_stopped(const char *path) { write_line(path, "stopped"); }
