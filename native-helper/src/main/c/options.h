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

struct options {
	bool check;
	bool version;
	bool help;

	/* namespaces */
	bool pid, mount, net, uts, ipc, cgroupns, time, user;

	const char *hostname;
	long long monotonic_offset;
	long long boottime_offset;
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
	const char *chdir;
	int keep_fds[MAX_REPEATED];
	int n_keep_fds;
	const char *status_file;

	char **program; /* PROGRAM [ARG...], NULL with --check */
};

void parse_options(int argc, char **argv, struct options *opts);
void print_help(void);

/* The CLONE_NEW* flags for clone3 (never CLONE_NEWTIME or CLONE_NEWCGROUP, see main.c). */
unsigned long clone_flags(const struct options *opts);

#endif
