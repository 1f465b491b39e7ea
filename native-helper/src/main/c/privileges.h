/* What the launcher refuses to be, and what PROGRAM may not do (docs/reliability.md, "What a
 * sandbox promises"). */
#ifndef NSJUNIT_PRIVILEGES_H
#define NSJUNIT_PRIVILEGES_H

#include <stdbool.h>

/* Outer, first thing: exits 125 when the launcher was started with more privileges than its
 * caller has (setuid, setgid, file capabilities), or carries them. */
void refuse_raised_privileges(void);

/* Sandbox, after its last setup step: no_new_privs, and unless all_capabilities, every capability
 * but those a test legitimately uses is dropped from all sets (bounding included). */
void restrict_privileges(bool all_capabilities);

#endif
