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
 * gives us a pipe as stdin: EOF/POLLHUP on it means the JVM died (or closed it on purpose
 * to tear the sandbox down). Anything else as stdin (/dev/null, a tty) is not watched. */
static bool stdin_is_parent_pipe(void)
{
	struct stat st;
	return fstat(STDIN_FILENO, &st) == 0 && S_ISFIFO(st.st_mode);
}

static bool parent_is_gone(short revents)
{
	char buf[4096];
	if (revents & POLLIN) {
		ssize_t n = read(STDIN_FILENO, buf, sizeof buf); /* data is ignored */
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			return true;
		return false;
	}
	return (revents & (POLLHUP | POLLERR | POLLNVAL)) != 0;
}

static void kill_and_reap(pid_t sandbox)
{
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

void supervise_sandbox(pid_t sandbox, struct channels *ch, const struct options *o, struct outcome *out)
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
		if (n_fds > 1 && fds[1].revents && parent_is_gone(fds[1].revents)) {
			kill_and_reap(sandbox);
			remove_cgroups_of_dead_parent(o);
			out->kind = OUTCOME_PARENT_GONE;
			return;
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
		if (read(ch->status_read, &program_status, sizeof program_status) == sizeof program_status)
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
