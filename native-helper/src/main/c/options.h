/* The command line, parsed and validated before anything is created. */
#ifndef NSJUNIT_OPTIONS_H
#define NSJUNIT_OPTIONS_H

#include <stdbool.h>
#include <sys/resource.h>

#define MAX_REPEATED 32
#define HOSTNAME_MAX_CHARS 64

struct rlimit_setting {
	const char *name;          /* "nofile" */
	const char *resource_name; /* "RLIMIT_NOFILE", for error messages */
	int resource;
	struct rlimit value;
};

struct tmpfs_mount {
	const char *path;
	unsigned long long bytes;
};

struct bind_mount {
	const char *source;
	const char *dest;
};

enum userns_mode {
	USERNS_AUTO,   /* a user namespace only without CAP_SYS_ADMIN (the default) */
	USERNS_ALWAYS, /* --userns=always, also --user */
	USERNS_NEVER,
};

struct options {
	bool check;
	bool version;
	bool help;
	bool janitor; /* --janitor: clean up after the JVM that holds our stdin (janitor.c) */

	/* namespaces */
	bool pid, mount, net, uts, ipc, cgroupns, time;
	enum userns_mode userns;

	const char *hostname;
	/* seconds and nanoseconds as /proc/self/timens_offsets takes them: -0.25 is -1 s + 750000000 ns */
	struct clock_offset {
		const char *text; /* as given, for messages */
		long long seconds;
		long nanoseconds; /* 0..999999999 */
	} monotonic_offset, boottime_offset;
	const char *cgroups[MAX_REPEATED];
	int n_cgroups;
	bool mount_cgroupfs;
	struct rlimit_setting rlimits[MAX_REPEATED];
	int n_rlimits;
	struct tmpfs_mount tmpfs[MAX_REPEATED];
	int n_tmpfs;
	struct bind_mount binds[MAX_REPEATED];
	int n_binds;
	const char *join_net;
	const char
		*join_holder;  /* --join-holder SOCKET: the holder's network (and user) namespace */
	const char *userns_of; /* --userns-of SOCKET: the holder's user namespace only */
	const char *hold;      /* --hold SOCKET: hold the namespaces instead of running PROGRAM */
	const char *keep_paths[MAX_REPEATED]; /* --keep-path DIR: stays visible under a --tmpfs */
	int n_keep_paths;
	bool all_capabilities; /* --all-capabilities: PROGRAM keeps every capability the sandbox has */
	const char *chdir;
	int keep_fds[MAX_REPEATED];
	int n_keep_fds;
	const char *status_file;

	char **program; /* PROGRAM [ARG...], NULL with --check */
};

void parse_options(int argc, char **argv, struct options *opts);
void print_help(void);

/* The CLONE_NEW* flags for clone3 (never CLONE_NEWUSER, CLONE_NEWTIME or CLONE_NEWCGROUP, see main.c). */
unsigned long clone_flags(const struct options *opts);

#endif
