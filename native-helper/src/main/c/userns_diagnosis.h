/* Why this machine refuses an ordinary user a user namespace, read from the sysctls that can
 * forbid it. Kept free of everything else in the launcher so a test can run it against
 * recorded /proc/sys trees (src/test/c/userns_diagnosis_test.c). */
#ifndef NSJUNIT_USERNS_DIAGNOSIS_H
#define NSJUNIT_USERNS_DIAGNOSIS_H

#include <stdbool.h>
#include <stddef.h>

/* The one setting that blocked a user namespace step that failed with err, and how to allow
 * it, written to buf. proc_sys is "/proc/sys" (or a recorded copy of it). */
const char *describe_userns_blocker(const char *proc_sys, int err, char *buf, size_t len);

/* kernel.apparmor_restrict_unprivileged_userns=1 (Ubuntu 23.10+): creating the namespace
 * works, but the process has no capabilities in it, so the next step fails instead. */
bool apparmor_restricts_userns(const char *proc_sys);

#endif
