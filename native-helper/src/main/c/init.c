#include "init.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errors.h"
#include "process.h"
#include "signals.h"

static void report_program_status(int status_channel, int status)
{
	/* 4 bytes < PIPE_BUF: atomic. If the outer is gone there is nobody to tell. */
	if (write(status_channel, &status, sizeof status) != sizeof status)
		_exit(EXIT_INTERNAL);
}

/* A PID 1 only receives signals from its own namespace if it has a handler; the relayed
 * signals are blocked and read via signalfd, but a handler keeps that true even if the
 * mask were ever changed. */
static void ignore_quietly(int sig) { (void)sig; }

noreturn void run_as_init(const struct options *o, struct channels *ch)
{
	sigset_t signals;
	struct sigaction sa = {.sa_handler = ignore_quietly};
	pid_t program;
	int sfd;

	/* The relayed signals and SIGCHLD have been blocked since before clone3, so none that
	 * arrived in the meantime is lost: it is pending and signalfd returns it. */
	relayed_signals_and_sigchld(&signals);
	sfd = signalfd(-1, &signals, SFD_CLOEXEC);
	if (sfd < 0)
		die_with_error(EXIT_SANDBOX_SETUP, NULL, "starting sandbox init", "signalfd()");
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGCHLD && sigismember(&signals, sig))
			sigaction(sig, &sa, NULL);

	if (o->check) {
		report_program_status(ch->status_write, 0);
		_exit(0);
	}

	program = fork();
	if (program < 0)
		die_with_error(EXIT_SANDBOX_SETUP, NULL, "starting the test program", "fork()");
	if (program == 0) {
		/* PROGRAM is PID 2: a JVM as PID 1 would not get default signal handling and would
		 * have to reap orphans. */
		die_with_parent(1, true);
		exec_program(o->program);
	}

	/* From here on only PROGRAM holds the error channel until its exec (or its exec-error
	 * record): EOF without data tells the outer that PROGRAM runs. */
	close(ch->error_write);

	for (;;) {
		struct signalfd_siginfo si;
		ssize_t n = read(sfd, &si, sizeof si);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != sizeof si)
			_exit(EXIT_INTERNAL);
		if (si.ssi_signo != SIGCHLD) {
			kill(program, (int)si.ssi_signo);
			continue;
		}
		/* SIGCHLDs coalesce: reap everything that is ready, orphans included. */
		for (;;) {
			int status;
			pid_t pid = waitpid(-1, &status, WNOHANG);
			if (pid <= 0)
				break;
			if (pid == program) {
				/* Exiting as PID 1 makes the kernel kill whatever is left in the namespace. */
				report_program_status(ch->status_write, status);
				_exit(0);
			}
		}
	}
}
