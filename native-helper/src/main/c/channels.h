/* The four pipes between the outer launcher and the sandbox. All are O_CLOEXEC, so
 * PROGRAM never inherits them. */
#ifndef NSJUNIT_CHANNELS_H
#define NSJUNIT_CHANNELS_H

#include <stdbool.h>

struct channels {
	/* sandbox -> outer: one byte "armed" once the sandbox's parent-death signal is set. The outer
	 * releases the sandbox only after it: from then on the outer's death kills the sandbox. */
	int armed_read, armed_write;
	/* outer -> sandbox: one byte "go" once id maps and cgroups are done. EOF without
	 * the byte means the outer died, and the sandbox gives up. */
	int release_read, release_write;
	/* sandbox -> outer: "CODE MESSAGE" if setup or exec failed. Closed without data
	 * when PROGRAM was exec'd (init closes its copy after forking PROGRAM). */
	int error_read, error_write;
	/* init -> outer: PROGRAM's raw wait status (an int), only with --pid. */
	int status_read, status_write;
};

void open_channels(struct channels *ch);
void keep_outer_ends(struct channels *ch);
void keep_sandbox_ends(struct channels *ch);
void report_armed(struct channels *ch);
bool wait_until_armed(struct channels *ch);
void release_sandbox(struct channels *ch);
void wait_for_release(struct channels *ch);

#endif
