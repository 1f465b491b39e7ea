/* nsjunit-launch --janitor: one per test JVM, started by it, reading its stdin.
 *
 * The JVM makes test cgroups and a private run directory. A JVM killed with SIGKILL cannot
 * remove them, and until now they stayed until the next JVM's start-up sweep, which only ever
 * looks below its own cgroup: on a machine where no JVM starts there again, for ever. The
 * janitor closes that gap the way the launcher's own parent-death cleanup does: the JVM holds the
 * only write end of the janitor's stdin, so its death, by any means, is EOF here.
 *
 * Protocol, one line each, written by the JVM:
 *   +cgroup PATH    before PATH is created (so no moment exists in which it is unknown here)
 *   -cgroup PATH    after the JVM removed it itself
 *   +dir PATH       a run directory (<tmp>/nsjunit-<uid>/run-<pid>-<start>); the JVM's own comes
 *                   on the command line (--janitor -- PATH), so it is known from the first moment
 * On EOF, whatever is still listed is removed: processes left in the groups are killed (the
 * test's; the JVM is gone), groups are removed deepest first, the run directory recursively
 * without crossing into other file systems. On a normal exit the JVM removed everything before,
 * so nothing is left to do. The janitor runs no test code and holds nothing but its list. */
#include "janitor.h"

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroups.h"

struct watched {
	char **paths;
	int n, cap;
};

static void add(struct watched *w, const char *path)
{
	for (int i = 0; i < w->n; i++)
		if (w->paths[i] && strcmp(w->paths[i], path) == 0)
			return;
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 16;
		w->paths = realloc(w->paths, (size_t)w->cap * sizeof *w->paths);
		if (!w->paths)
			_exit(1);
	}
	w->paths[w->n++] = strdup(path);
}

static void forget(struct watched *w, const char *path)
{
	for (int i = 0; i < w->n; i++)
		if (w->paths[i] && strcmp(w->paths[i], path) == 0) {
			free(w->paths[i]);
			w->paths[i] = w->paths[--w->n];
			return;
		}
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0; /* keep going: remove what can be removed */
}

/* Only what has the shape of a run directory: <anything>/nsjunit-<uid>/run-<pid>-<start>. A
 * janitor that is handed another path by mistake must not become rm -rf. */
static int is_run_directory(const char *path)
{
	const char *last = strrchr(path, '/');
	const char *parent;

	if (!last || last == path || strncmp(last + 1, "run-", 4) != 0 || strstr(path, "/../") ||
	    strstr(path, "/./"))
		return 0;
	for (parent = last - 1; parent > path && *parent != '/'; parent--)
		;
	return path[0] == '/' && strncmp(parent + 1, "nsjunit-", 8) == 0;
}

/* The JVM's launchers see the same EOF and still write their status files ("parent-gone") into
 * the run directory: a file made while nftw walks the tree makes the last rmdir fail. So the
 * removal is repeated until the directory is gone, within the budget; once it is gone, a late
 * status file cannot be written (its directory does not exist) and nothing can bring it back. */
static void remove_run_directory(const char *path)
{
	struct timespec pause = {0, 50 * 1000 * 1000};

	for (int waited_ms = 0;; waited_ms += 50) {
		nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
		if (access(path, F_OK) != 0 && errno == ENOENT)
			return;
		if (waited_ms >= JANITOR_BUDGET_MS)
			return;
		nanosleep(&pause, NULL);
	}
}

static void clean_up(struct watched *groups, struct watched *dirs)
{
	if (groups->n > 0)
		remove_cgroup_trees((const char *const *)groups->paths, groups->n,
				    JANITOR_BUDGET_MS);
	for (int i = 0; i < dirs->n; i++)
		if (is_run_directory(dirs->paths[i]))
			remove_run_directory(dirs->paths[i]);
}

int run_janitor(const char *run_directory)
{
	struct watched groups = {0}, dirs = {0};
	char *line = NULL;
	size_t size = 0;
	ssize_t len;

	if (run_directory)
		add(&dirs, run_directory);
	/* A Ctrl-C in the terminal goes to the whole foreground process group; the janitor must
	 * outlive the JVM it cleans up after, so it leaves that group's session. */
	setsid();
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	while ((len = getline(&line, &size, stdin)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (strncmp(line, "+cgroup ", 8) == 0)
			add(&groups, line + 8);
		else if (strncmp(line, "-cgroup ", 8) == 0)
			forget(&groups, line + 8);
		else if (strncmp(line, "+dir ", 5) == 0)
			add(&dirs, line + 5);
		else if (strncmp(line, "-dir ", 5) == 0)
			forget(&dirs, line + 5);
	}
	clean_up(&groups, &dirs);
	return 0;
}
