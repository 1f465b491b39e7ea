#include "cgroups.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
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
			die_with_error(EXIT_OUTER_SETUP, hint_cgroup_join, "joining cgroup",
				       "open(\"%s\", O_WRONLY)", path);
		if (write(fd, pid, (size_t)len) != len)
			die_with_error(EXIT_OUTER_SETUP, hint_cgroup_join, "joining cgroup",
				       "write(\"%s\", \"%d\")", path, (int)sandbox);
		close(fd);
	}
}

/* After attach_to_cgroups, so the namespace root is the test's own cgroup. */
void enter_cgroup_namespace(void)
{
	if (unshare(CLONE_NEWCGROUP) < 0)
		die_with_error(EXIT_NAMESPACE, hint_namespaces, "creating cgroup namespace",
			       "unshare(CLONE_NEWCGROUP)");
}

/* SIGKILL for every process listed in DIR/cgroup.procs and in the groups below DIR (the test
 * may have made its own in its cgroup namespace). Returns how many were listed. */
static int kill_procs_below(const char *dir, int depth)
{
	char path[4096];
	int listed = 0;
	FILE *procs;
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof path, "%s/cgroup.procs", dir);
	procs = fopen(path, "re");
	if (procs) {
		long pid;
		while (fscanf(procs, "%ld", &pid) == 1) {
			if (pid > 1 && pid != (long)getpid())
				kill((pid_t)pid, SIGKILL);
			listed++;
		}
		fclose(procs);
	}
	if (depth > 16 || !(d = opendir(dir)))
		return listed;
	while ((e = readdir(d))) {
		if (e->d_type == DT_DIR && e->d_name[0] != '.') {
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			listed += kill_procs_below(path, depth + 1);
		}
	}
	closedir(d);
	return listed;
}

/* rmdir of DIR after the groups below it, deepest first; 0 when DIR is gone. */
static int remove_tree(const char *dir, int depth)
{
	char path[4096];
	DIR *d;
	struct dirent *e;

	if (depth <= 16 && (d = opendir(dir))) {
		while ((e = readdir(d))) {
			if (e->d_type == DT_DIR && e->d_name[0] != '.') {
				snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
				remove_tree(path, depth + 1);
			}
		}
		closedir(d);
	}
	if (rmdir(dir) == 0 || errno == ENOENT)
		return 0;
	return -1;
}

/* Removes each group (and what the test made below it) deepest first; what is still inside is
 * killed first (processes the test started outside its pid namespace, or without one). Dying
 * processes leave a group a moment after they were reaped, and a busy machine frees a large
 * memory charge slowly: keep killing and retrying until BUDGET_MS have passed. */
void remove_cgroup_trees(const char *const *dirs, int n, int budget_ms)
{
	struct timespec pause = {.tv_sec = 0, .tv_nsec = 20 * 1000 * 1000};

	for (int attempt = 0; attempt <= budget_ms / 20; attempt++) {
		bool left = false;
		for (int i = n - 1; i >= 0; i--) {
			if (remove_tree(dirs[i], 0) < 0) {
				left = true;
				kill_procs_below(dirs[i], 0);
			}
		}
		if (!left)
			return;
		nanosleep(&pause, NULL);
	}
}

/* After the parent JVM died the sandbox was killed; nobody else will remove its groups (the
 * JVM that made them is gone), so do it here instead of leaving them to the next run's sweep. */
void remove_cgroups_of_dead_parent(const struct options *o)
{
	remove_cgroup_trees(o->cgroups, o->n_cgroups, 10000);
}
