#include "signals.h"

#include "errors.h"

void relayed_signals_and_sigchld(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGQUIT);
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGUSR2);
	sigaddset(set, SIGCHLD);
}

void block_relayed_signals(void)
{
	sigset_t set;
	relayed_signals_and_sigchld(&set);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		die_with_error(EXIT_INTERNAL, NULL, "blocking signals", "sigprocmask(SIG_BLOCK)");
}

void reset_signal_state(void)
{
	sigset_t empty;
	/* Also undoes SIG_IGN inherited from the JVM (ignored dispositions survive exec). */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL); /* fails harmlessly for glibc's reserved signals */
	sigemptyset(&empty);
	if (sigprocmask(SIG_SETMASK, &empty, NULL) < 0)
		die_with_error(EXIT_SANDBOX_SETUP, NULL, "resetting signal mask", "sigprocmask(SIG_SETMASK, {})");
}
