#include "cgroups.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <errno.h>
#include <unistd.h>

#include "errors.h"

/* Done by the outer while the sandbox still waits for its release, so PROGRAM never runs
 * (and never allocates) outside the test's cgroups. */
void attach_to_cgroups(pid_t sandbox, const struct options *o)
{
	for (int i = 0; i < o->n_cgroups; i++) {
		char path[4096];
		char pid[32];
		int len = snprintf(pid, sizeof pid, "%d\n", (int)sandbox);
		int fd;

		snprintf(path, sizeof path, "%s/cgroup.procs", o->cgroups[i]);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			die_with_error(EXIT_OUTER_SETUP, hint_cgroup_join, "joining cgroup", "open(\"%s\", O_WRONLY)", path);
		if (write(fd, pid, (size_t)len) != len)
			die_with_error(EXIT_OUTER_SETUP, hint_cgroup_join, "joining cgroup", "write(\"%s\", \"%d\")", path,
				       (int)sandbox);
		close(fd);
	}
}

/* After attach_to_cgroups, so the namespace root is the test's own cgroup. */
void enter_cgroup_namespace(void)
{
	if (unshare(CLONE_NEWCGROUP) < 0)
		die_with_error(EXIT_NAMESPACE, hint_namespaces, "creating cgroup namespace", "unshare(CLONE_NEWCGROUP)");
}

/* After the parent JVM died the sandbox was killed; nobody else will remove its groups (the
 * JVM that made them is gone), so do it here instead of leaving them to the next run's sweep.
 * Dying processes leave a group a moment after waitpid returns: retry EBUSY for up to 2 s. */
void remove_cgroups_of_dead_parent(const struct options *o)
{
	for (int i = o->n_cgroups - 1; i >= 0; i--) {
		for (int attempt = 0; attempt < 200; attempt++) {
			if (rmdir(o->cgroups[i]) == 0 || errno != EBUSY)
				break;
			usleep(10000);
		}
	}
}
