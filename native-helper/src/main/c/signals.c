#include "signals.h"

#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

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

/* The launcher's parent chose these for itself; they are inherited through exec. An ignored
 * SIGCHLD would make the kernel reap the sandbox without telling us (we would wait forever); a
 * default SIGPIPE would kill us without a word when the sandbox is gone before a pipe write.
 * PROGRAM gets every disposition back to default (reset_signal_state). */
void take_charge_of_signals(void)
{
	if (signal(SIGCHLD, SIG_DFL) == SIG_ERR || signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		die_with_error(EXIT_INTERNAL, NULL, "setting signal dispositions",
			       "signal(SIGCHLD, SIG_DFL)");
}

/* The kernel's struct sigaction (not glibc's): glibc refuses to touch the two real-time signals
 * it reserves (32, 33), but a parent may have left them ignored, and an ignored disposition
 * survives exec. Setting SIG_DFL needs no handler or restorer. */
struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

void reset_signal_state(void)
{
	sigset_t empty;
	struct kernel_sigaction dfl = {.handler = SIG_DFL};
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof dfl.mask);
	sigemptyset(&empty);
	if (sigprocmask(SIG_SETMASK, &empty, NULL) < 0)
		die_with_error(EXIT_SANDBOX_SETUP, NULL, "resetting signal mask",
			       "sigprocmask(SIG_SETMASK, {})");
}
