/* PID 1 of the sandbox's pid namespace: starts PROGRAM as PID 2, reaps every process,
 * relays signals to PROGRAM, and reports PROGRAM's wait status to the outer. */
#ifndef NSJUNIT_INIT_H
#define NSJUNIT_INIT_H

#include <stdnoreturn.h>

#include "channels.h"
#include "options.h"

noreturn void run_as_init(const struct options *opts, struct channels *ch);

#endif
