/* Putting the sandbox into the test's cgroups, and making those its cgroup namespace root. */
#ifndef NSJUNIT_CGROUPS_H
#define NSJUNIT_CGROUPS_H

#include <sys/types.h>

#include "options.h"

void attach_to_cgroups(pid_t sandbox, const struct options *opts);
void enter_cgroup_namespace(void);

void remove_cgroups_of_dead_parent(const struct options *o);
/* The janitor's budget is shorter than a launcher's: it is one process for the whole JVM, and
 * whoever watches the JVM's descendants after a kill should see it gone within a few seconds. */
#define JANITOR_BUDGET_MS 3000
void remove_cgroup_trees(const char *const *dirs, int n, int budget_ms);

#endif
