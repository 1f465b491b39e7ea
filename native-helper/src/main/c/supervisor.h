/* The outer launcher after the sandbox is released: relays signals, watches for the
 * parent's death, and turns the sandbox's end into an exit code and status line. */
#ifndef NSJUNIT_SUPERVISOR_H
#define NSJUNIT_SUPERVISOR_H

#include <sys/types.h>

#include "channels.h"
#include "errors.h"
#include "options.h"

enum outcome_kind {
	OUTCOME_PROGRAM_ENDED, /* wait_status is PROGRAM's */
	OUTCOME_SETUP_FAILED,  /* error_code and message came from the sandbox */
	OUTCOME_PARENT_GONE,   /* EOF on stdin without "stop": the parent died */
	OUTCOME_STOPPED, /* "stop" on stdin: the parent ended the sandbox and stays to clean up */
};

struct outcome {
	enum outcome_kind kind;
	int wait_status;
	int error_code;
	char message[ERROR_LINE_MAX];
};

void supervise_sandbox(pid_t sandbox, struct channels *ch, const struct options *opts,
		       struct outcome *out);
int report_outcome(const struct outcome *out, const char *status_file);

#endif
