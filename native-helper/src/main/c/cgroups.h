/* Putting the sandbox into the test's cgroups, and making those its cgroup namespace root. */
#ifndef NSJUNIT_CGROUPS_H
#define NSJUNIT_CGROUPS_H

#include <sys/types.h>

#include "options.h"

void attach_to_cgroups(pid_t sandbox, const struct options *opts);
void enter_cgroup_namespace(void);

void remove_cgroups_of_dead_parent(const struct options *o);

#endif
