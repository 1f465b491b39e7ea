#include "supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups.h"
#include "signals.h"
#include "status_file.h"

/* Our parent is a multi-threaded JVM. PR_SET_PDEATHSIG would fire when the *thread* that
 * forked us exits, not the JVM, so it cannot tell us the parent is gone. Instead the JVM
 * gives us a pipe as stdin: EOF/POLLHUP on it means the JVM died. A JVM that ends the sandbox
 * on purpose (a timeout) writes "stop" first: it stays, reads the sandbox's cgroups for its
 * report and removes them itself, so they must still be there. Anything else as stdin
 * (/dev/null, a tty) is not watched. */
static bool stdin_is_parent_pipe(void)
{
	struct stat st;
	return fstat(STDIN_FILENO, &st) == 0 && S_ISFIFO(st.st_mode);
}

enum parent_word { PARENT_QUIET, PARENT_STOP, PARENT_GONE };

static enum parent_word read_parent_pipe(short revents)
{
	char buf[4096];
	if (revents & POLLIN) {
		ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
		if (n > 0)
			return memchr(buf, 's', (size_t)n)
				       ? PARENT_STOP
				       : PARENT_QUIET; /* other data is ignored */
		if (n == 0 || (errno != EINTR && errno != EAGAIN))
			return PARENT_GONE;
		return PARENT_QUIET;
	}
	return (revents & (POLLHUP | POLLERR | POLLNVAL)) ? PARENT_GONE : PARENT_QUIET;
}

/* Without --pid no init takes PROGRAM's own children down with it; they are in the process
 * group the sandbox leads (leave_the_terminal's setsid), unless they left it themselves. A
 * JDK 25 JVM that dumps an AOT cache starts a second JVM as it exits: that one is ended too.
 * Safe at any time: no other process can lead a group with the sandbox's pid (ESRCH if the
 * sandbox has not made it yet), and the pid stays taken while the group or the zombie exists. */
static void kill_program_group(pid_t sandbox, const struct options *o)
{
	if (!o->pid)
		kill(-sandbox, SIGKILL);
}

static void kill_and_reap(pid_t sandbox, const struct options *o)
{
	kill_program_group(sandbox, o);
	kill(sandbox, SIGKILL);
	/* With --pid this returns only after the kernel has killed the whole namespace. */
	while (waitpid(sandbox, NULL, 0) < 0 && errno == EINTR)
		;
}

/* "CODE MESSAGE" from the sandbox, if it sent one. */
static bool read_error_record(int fd, struct outcome *out)
{
	char record[ERROR_LINE_MAX + 16];
	ssize_t n = read(fd, record, sizeof record - 1);
	char *end;
	if (n <= 0)
		return false;
	record[n] = '\0';
	out->error_code = (int)strtol(record, &end, 10);
	if (*end == ' ')
		end++;
	snprintf(out->message, sizeof out->message, "%s", end);
	return true;
}

void supervise_sandbox(pid_t sandbox, struct channels *ch, const struct options *o,
		       struct outcome *out)
{
	sigset_t signals;
	struct pollfd fds[2];
	int n_fds = 1;
	int sandbox_status = 0;
	int sfd;

	memset(out, 0, sizeof *out);
	relayed_signals_and_sigchld(&signals);
	sfd = signalfd(-1, &signals, SFD_CLOEXEC);
	if (sfd < 0)
		die_with_error(EXIT_INTERNAL, NULL, "watching the sandbox", "signalfd()");
	fds[0] = (struct pollfd){.fd = sfd, .events = POLLIN};
	if (stdin_is_parent_pipe())
		fds[n_fds++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};

	for (bool running = true; running;) {
		if (poll(fds, (nfds_t)n_fds, -1) < 0) {
			if (errno == EINTR)
				continue;
			die_with_error(EXIT_INTERNAL, NULL, "watching the sandbox", "poll()");
		}
		if (n_fds > 1 && fds[1].revents) {
			enum parent_word word = read_parent_pipe(fds[1].revents);
			if (word != PARENT_QUIET) {
				kill_and_reap(sandbox, o);
				if (word == PARENT_GONE)
					remove_cgroups_of_dead_parent(o); /* nobody else will */
				out->kind =
					word == PARENT_GONE ? OUTCOME_PARENT_GONE : OUTCOME_STOPPED;
				return;
			}
		}
		if (fds[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof si) != sizeof si)
				continue;
			if (si.ssi_signo != SIGCHLD) {
				/* To init, which relays it to PROGRAM (without --pid: PROGRAM itself). */
				kill(sandbox, (int)si.ssi_signo);
				continue;
			}
			if (waitpid(sandbox, &sandbox_status, WNOHANG) == sandbox)
				running = false;
		}
	}
	close(sfd);
	kill_program_group(sandbox, o); /* what PROGRAM left running ends with it */

	/* Both records were written before the writer exited, so they are in the pipe now. */
	fcntl(ch->error_read, F_SETFL, O_NONBLOCK);
	fcntl(ch->status_read, F_SETFL, O_NONBLOCK);
	if (read_error_record(ch->error_read, out)) {
		out->kind = OUTCOME_SETUP_FAILED;
		return;
	}
	out->kind = OUTCOME_PROGRAM_ENDED;
	out->wait_status = sandbox_status; /* without --pid the sandbox process is PROGRAM */
	if (o->pid) {
		int program_status;
		/* No status means init itself was killed: report that. */
		if (read(ch->status_read, &program_status, sizeof program_status) ==
		    sizeof program_status)
			out->wait_status = program_status;
	}
}

int report_outcome(const struct outcome *out, const char *status_file)
{
	switch (out->kind) {
	case OUTCOME_PARENT_GONE:
		if (status_file)
			write_status_parent_gone(status_file);
		return EXIT_INTERNAL;
	case OUTCOME_STOPPED:
		if (status_file)
			write_status_stopped(status_file);
		return 128 + SIGKILL;
	case OUTCOME_SETUP_FAILED:
		fprintf(stderr, "%s\n", out->message);
		if (status_file)
			write_status_error(status_file, out->error_code, out->message);
		return out->error_code;
	case OUTCOME_PROGRAM_ENDED:
		break;
	}
	if (status_file)
		write_status_wait(status_file, out->wait_status);
	if (WIFSIGNALED(out->wait_status))
		return 128 + WTERMSIG(out->wait_status);
	return WEXITSTATUS(out->wait_status);
}
