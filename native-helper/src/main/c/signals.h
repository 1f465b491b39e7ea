/* The signals the launcher passes on to PROGRAM, and the state PROGRAM starts with. */
#ifndef NSJUNIT_SIGNALS_H
#define NSJUNIT_SIGNALS_H

#include <signal.h>

/* SIGTERM SIGINT SIGHUP SIGQUIT SIGUSR1 SIGUSR2, plus SIGCHLD. */
void relayed_signals_and_sigchld(sigset_t *set);

/* Blocked in the outer before clone3 and read with signalfd; the sandbox inherits the
 * mask, so a signal arriving before init's signalfd exists stays pending, not lost. */
void block_relayed_signals(void);

/* Outer, first: SIGCHLD default (never auto-reaped), SIGPIPE ignored, whatever the parent had. */
void take_charge_of_signals(void);

/* Default dispositions and an empty mask, right before exec. */
void reset_signal_state(void);

#endif
