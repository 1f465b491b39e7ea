#include "options.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"

/* Keep long values readable in a one-line error: "aaaaaaaaaaaaaaaa...(70 chars)". */
static const char *shown(const char *value)
{
	static char buf[64];
	size_t len = strlen(value);
	if (len <= 40)
		return value;
	snprintf(buf, sizeof buf, "%.16s...(%zu chars)", value, len);
	return buf;
}

static bool parse_long_long(const char *s, long long *out)
{
	char *end;
	errno = 0;
	if (*s == '\0')
		return false;
	*out = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0';
}

static bool parse_unsigned(const char *s, unsigned long long *out);

/* [+-]SECONDS[.FRACTION], at most 9 decimals: the kernel's offsets are exact to the nanosecond. */
static bool parse_clock_offset(const char *s, struct clock_offset *out)
{
	bool negative = *s == '-';
	const char *p = s + (*s == '-' || *s == '+');
	const char *dot = strchr(p, '.');
	char whole[32];
	unsigned long long seconds;
	long fraction = 0;
	size_t whole_len = dot ? (size_t)(dot - p) : strlen(p);

	if (whole_len == 0 || whole_len >= sizeof whole)
		return false;
	memcpy(whole, p, whole_len);
	whole[whole_len] = '\0';
	if (!parse_unsigned(whole, &seconds) || seconds > (unsigned long long)LLONG_MAX - 1)
		return false;
	if (dot) {
		const char *f = dot + 1;
		int digits = 0;
		for (; *f; f++, digits++) {
			if (*f < '0' || *f > '9' || digits == 9)
				return false;
			fraction = fraction * 10 + (*f - '0');
		}
		if (digits == 0)
			return false;
		for (; digits < 9; digits++)
			fraction *= 10;
	}
	out->text = s;
	out->seconds = negative ? -(long long)seconds : (long long)seconds;
	out->nanoseconds = fraction;
	if (negative && fraction > 0) { /* the kernel wants 0 <= nanoseconds < 1 s */
		out->seconds -= 1;
		out->nanoseconds = 1000000000L - fraction;
	}
	return true;
}

static bool parse_unsigned(const char *s, unsigned long long *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/* Whether path is dir or below it ("/a/b" is below "/a", "/ab" is not); trailing slashes ignored. */
static bool is_same_or_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '/')
		return true;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

#define RLIMIT_NAME(name, resource) {name, #resource, resource}
static const struct {
	const char *name;
	const char *resource_name;
	int resource;
} rlimit_names[] = {
	RLIMIT_NAME("nofile", RLIMIT_NOFILE),   RLIMIT_NAME("nproc", RLIMIT_NPROC),
	RLIMIT_NAME("core", RLIMIT_CORE),       RLIMIT_NAME("as", RLIMIT_AS),
	RLIMIT_NAME("fsize", RLIMIT_FSIZE),     RLIMIT_NAME("stack", RLIMIT_STACK),
	RLIMIT_NAME("memlock", RLIMIT_MEMLOCK), RLIMIT_NAME("cpu", RLIMIT_CPU),
};

static bool parse_rlimit_value(const char *s, rlim_t *out)
{
	unsigned long long v;
	if (strcmp(s, "unlimited") == 0) {
		*out = RLIM_INFINITY;
		return true;
	}
	if (!parse_unsigned(s, &v) || v >= (unsigned long long)RLIM_INFINITY)
		return false;
	*out = (rlim_t)v;
	return true;
}

static void parse_rlimit(const char *arg, struct rlimit_setting *out)
{
	static const char *allowed =
		"NAME=SOFT[:HARD], NAME one of nofile nproc core as fsize stack memlock cpu, "
		"values integers or \"unlimited\"";
	char name[16];
	const char *eq = strchr(arg, '=');
	const char *colon;
	size_t i;

	if (!eq || (size_t)(eq - arg) >= sizeof name)
		die_usage("--rlimit \"%s\": expected %s", shown(arg), allowed);
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	for (i = 0; i < sizeof rlimit_names / sizeof rlimit_names[0]; i++)
		if (strcmp(name, rlimit_names[i].name) == 0)
			break;
	if (i == sizeof rlimit_names / sizeof rlimit_names[0])
		die_usage("--rlimit \"%s\": unknown limit \"%s\"; expected %s", shown(arg), name,
			  allowed);
	out->name = rlimit_names[i].name;
	out->resource_name = rlimit_names[i].resource_name;
	out->resource = rlimit_names[i].resource;

	colon = strchr(eq + 1, ':');
	char soft[32];
	size_t soft_len = colon ? (size_t)(colon - (eq + 1)) : strlen(eq + 1);
	if (soft_len >= sizeof soft)
		die_usage("--rlimit \"%s\": expected %s", shown(arg), allowed);
	memcpy(soft, eq + 1, soft_len);
	soft[soft_len] = '\0';
	if (!parse_rlimit_value(soft, &out->value.rlim_cur) ||
	    !parse_rlimit_value(colon ? colon + 1 : soft, &out->value.rlim_max))
		die_usage("--rlimit \"%s\": expected %s", shown(arg), allowed);
	if (out->value.rlim_cur > out->value.rlim_max)
		die_usage("--rlimit \"%s\": the soft limit must not exceed the hard limit",
			  shown(arg));
}

static void parse_tmpfs(const char *arg, struct tmpfs_mount *out)
{
	/* Split at the last ':' so the size is always the part after it. */
	const char *colon = strrchr(arg, ':');
	if (!colon || colon == arg || arg[0] != '/' || !parse_unsigned(colon + 1, &out->bytes) ||
	    out->bytes == 0)
		die_usage(
			"--tmpfs \"%s\": expected ABSOLUTE_PATH:BYTES with BYTES a positive integer",
			shown(arg));
	out->path = strndup(arg, (size_t)(colon - arg));
}

static void parse_bind(const char *arg, struct bind_mount *out)
{
	const char *colon = strchr(arg, ':');
	if (!colon || colon == arg || colon[1] != '/')
		die_usage(
			"--bind-ro \"%s\": expected SRC:DST with DST an absolute path that exists",
			shown(arg));
	out->source = strndup(arg, (size_t)(colon - arg));
	out->dest = colon + 1;
}

static int parse_keep_fd(const char *arg)
{
	long long fd;
	if (!parse_long_long(arg, &fd) || fd < 3 || fd > INT_MAX)
		die_usage(
			"--keep-fd \"%s\": expected a descriptor number >= 3 (0, 1 and 2 are always kept)",
			shown(arg));
	/* Checked here, before the launcher opens its own pipes, so a closed number cannot
	 * be confused with one of them. */
	if (fcntl((int)fd, F_GETFD) < 0)
		die_usage(
			"--keep-fd %lld: descriptor %lld is not open in the launcher; open it in the parent process",
			fd, fd);
	return (int)fd;
}

/* The status file must be known before the first usage error, so look for it first. */
static const char *find_status_file(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--status-file") == 0 && i + 1 < argc)
			return argv[i + 1];
		if (strncmp(argv[i], "--status-file=", 14) == 0)
			return argv[i] + 14;
	}
	return NULL;
}

#define ADD(array, count, value, option)                                                           \
	do {                                                                                       \
		if ((count) >= MAX_REPEATED)                                                       \
			die_usage("%s: given more than %d times", option, MAX_REPEATED);           \
		(array)[(count)++] = (value);                                                      \
	} while (0)

void parse_options(int argc, char **argv, struct options *o)
{
	int i;
	bool has_monotonic = false, has_boottime = false;

	memset(o, 0, sizeof *o);
	o->status_file = find_status_file(argc, argv);
	errors_record_status_in(o->status_file);

	for (i = 1; i < argc; i++) {
		char *arg = argv[i];
		char name[32];
		const char *value = NULL;
		char *eq;

		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (strncmp(arg, "--", 2) != 0)
			die_usage("\"%s\": unexpected argument; put the program after \"--\"",
				  shown(arg));

		/* --name=value or --name value */
		eq = strchr(arg, '=');
		if (eq && (size_t)(eq - arg) < sizeof name) {
			memcpy(name, arg, (size_t)(eq - arg));
			name[eq - arg] = '\0';
			value = eq + 1;
		} else {
			snprintf(name, sizeof name, "%s", arg);
		}

#define FLAG(opt, field)                                                                           \
	if (strcmp(name, opt) == 0) {                                                              \
		if (value)                                                                         \
			die_usage("%s takes no value (got \"%s\")", opt, shown(value));            \
		field = true;                                                                      \
		continue;                                                                          \
	}
#define WITH_VALUE(opt)                                                                            \
	(strcmp(name, opt) == 0 &&                                                                 \
	 (value || (i + 1 < argc ? (value = argv[++i], true)                                       \
				 : (die_usage("%s needs a value", opt), false))))

		FLAG("--check", o->check)
		FLAG("--janitor", o->janitor)
		FLAG("--version", o->version)
		FLAG("--help", o->help)
		FLAG("--pid", o->pid)
		FLAG("--mount", o->mount)
		FLAG("--net", o->net)
		FLAG("--uts", o->uts)
		FLAG("--ipc", o->ipc)
		FLAG("--cgroupns", o->cgroupns)
		FLAG("--time", o->time)
		if (strcmp(name, "--user") == 0 &&
		    !value) { /* the old spelling of --userns=always */
			o->userns = USERNS_ALWAYS;
			continue;
		}
		FLAG("--mount-cgroupfs", o->mount_cgroupfs)
		FLAG("--all-capabilities", o->all_capabilities)

		if (WITH_VALUE("--hostname")) {
			size_t len = strlen(value);
			if (len < 1 || len > HOSTNAME_MAX_CHARS)
				die_usage("--hostname \"%s\": must be 1 to %d characters",
					  shown(value), HOSTNAME_MAX_CHARS);
			o->hostname = value;
		} else if (WITH_VALUE("--monotonic-offset")) {
			if (!parse_clock_offset(value, &o->monotonic_offset))
				die_usage(
					"--monotonic-offset \"%s\": expected signed seconds with at most 9 decimals (exact to the nanosecond), e.g. 30, -2.5, 0.000001",
					shown(value));
			has_monotonic = true;
		} else if (WITH_VALUE("--boottime-offset")) {
			if (!parse_clock_offset(value, &o->boottime_offset))
				die_usage(
					"--boottime-offset \"%s\": expected signed seconds with at most 9 decimals (exact to the nanosecond), e.g. 30, -2.5, 0.000001",
					shown(value));
			has_boottime = true;
		} else if (WITH_VALUE("--cgroup")) {
			if (value[0] == '\0')
				die_usage("--cgroup \"\": expected a cgroup directory");
			ADD(o->cgroups, o->n_cgroups, value, "--cgroup");
		} else if (WITH_VALUE("--rlimit")) {
			struct rlimit_setting r;
			parse_rlimit(value, &r);
			ADD(o->rlimits, o->n_rlimits, r, "--rlimit");
		} else if (WITH_VALUE("--tmpfs")) {
			struct tmpfs_mount t;
			parse_tmpfs(value, &t);
			ADD(o->tmpfs, o->n_tmpfs, t, "--tmpfs");
		} else if (WITH_VALUE("--bind-ro")) {
			struct bind_mount b;
			parse_bind(value, &b);
			ADD(o->binds, o->n_binds, b, "--bind-ro");
		} else if (WITH_VALUE("--userns")) {
			if (strcmp(value, "auto") == 0)
				o->userns = USERNS_AUTO;
			else if (strcmp(value, "always") == 0)
				o->userns = USERNS_ALWAYS;
			else if (strcmp(value, "never") == 0)
				o->userns = USERNS_NEVER;
			else
				die_usage("--userns \"%s\": expected auto, always or never",
					  shown(value));
		} else if (WITH_VALUE("--join-net")) {
			o->join_net = value;
		} else if (WITH_VALUE("--join-holder")) {
			o->join_holder = value;
		} else if (WITH_VALUE("--userns-of")) {
			o->userns_of = value;
		} else if (WITH_VALUE("--hold")) {
			o->hold = value;
		} else if (WITH_VALUE("--keep-path")) {
			if (value[0] != '/')
				die_usage("--keep-path \"%s\": expected an absolute directory path",
					  shown(value));
			ADD(o->keep_paths, o->n_keep_paths, value, "--keep-path");
		} else if (WITH_VALUE("--chdir")) {
			o->chdir = value;
		} else if (WITH_VALUE("--keep-fd")) {
			ADD(o->keep_fds, o->n_keep_fds, parse_keep_fd(value), "--keep-fd");
		} else if (WITH_VALUE("--status-file")) {
			o->status_file = value;
		} else {
			die_usage("unknown option \"%s\"; see nsjunit-launch --help", shown(arg));
		}
	}
	if (i < argc)
		o->program = &argv[i];

	if (o->help || o->version)
		return;

	/* A fresh /proc needs a private mount namespace. */
	if (o->pid)
		o->mount = true;

	if (o->hostname && !o->uts)
		die_usage(
			"--hostname \"%s\" requires --uts (a hostname can only be set in a new UTS namespace)",
			shown(o->hostname));
	if (has_monotonic && !o->time)
		die_usage("--monotonic-offset %s requires --time", shown(o->monotonic_offset.text));
	if (has_boottime && !o->time)
		die_usage("--boottime-offset %s requires --time", shown(o->boottime_offset.text));
	if (o->mount_cgroupfs && !(o->mount && o->cgroupns))
		die_usage("--mount-cgroupfs requires --mount and --cgroupns");
	if (o->n_tmpfs && !o->mount)
		die_usage("--tmpfs \"%s\" requires --mount", o->tmpfs[0].path);
	if (o->n_keep_paths && !o->mount)
		die_usage("--keep-path \"%s\" requires --mount", shown(o->keep_paths[0]));
	for (int k = 0; k < o->n_keep_paths; k++)
		for (int t = 0; t < o->n_tmpfs; t++)
			if (is_same_or_below(o->tmpfs[t].path, o->keep_paths[k]))
				die_usage(
					"--tmpfs \"%s\" would replace --keep-path \"%s\" itself: a kept directory can only be below a --tmpfs",
					shown(o->tmpfs[t].path), o->keep_paths[k]);
	if (o->n_binds && !o->mount)
		die_usage("--bind-ro \"%s:%s\" requires --mount", o->binds[0].source,
			  o->binds[0].dest);
	if (o->join_net && o->net)
		die_usage(
			"--join-net \"%s\" cannot be combined with --net (the sandbox joins that namespace instead)",
			shown(o->join_net));
	if (o->join_holder && (o->net || o->join_net))
		die_usage(
			"--join-holder \"%s\" cannot be combined with --net or --join-net (the sandbox joins the holder's network namespace)",
			shown(o->join_holder));
	if (o->userns_of && o->join_holder)
		die_usage(
			"--userns-of \"%s\" cannot be combined with --join-holder (which joins the holder's user namespace already)",
			shown(o->userns_of));
	/* The run directory comes on the command line, so that no moment exists in which the
	 * janitor runs but does not know it (a JVM killed before writing "+dir"). */
	if (o->janitor) {
		if (argc != 2 && !(argc == 4 && o->program && o->program[0][0] == '/'))
			die_usage(
				"--janitor takes no other option; at most a run directory after \"--\" (an absolute path), and reads the rest from stdin");
		return;
	}
	if (o->hold && (o->pid || o->check || o->program))
		die_usage(
			"--hold \"%s\" runs no program: it cannot be combined with --pid, --check or a PROGRAM after \"--\"",
			shown(o->hold));
	if (o->hold)
		return;
	if (o->check && o->program)
		die_usage("--check runs no program, but \"%s\" was given after \"--\"",
			  shown(o->program[0]));
	if (!o->check && !o->program)
		die_usage(
			"no program given: expected nsjunit-launch [OPTIONS] -- PROGRAM [ARG...]");
}

unsigned long clone_flags(const struct options *o)
{
	unsigned long flags = 0;
	if (o->pid)
		flags |= CLONE_NEWPID;
	if (o->mount)
		flags |= CLONE_NEWNS;
	if (o->net)
		flags |= CLONE_NEWNET;
	if (o->uts)
		flags |= CLONE_NEWUTS;
	if (o->ipc)
		flags |= CLONE_NEWIPC;
	return flags;
}

void print_help(void)
{
	fputs("usage: nsjunit-launch [OPTIONS] -- PROGRAM [ARG...]\n"
	      "       nsjunit-launch --check [OPTIONS]\n"
	      "       nsjunit-launch --version\n"
	      "       nsjunit-launch --hold SOCKET [OPTIONS]\n"
	      "       nsjunit-launch --janitor [-- RUN_DIRECTORY]   (reads +cgroup/-cgroup/+dir PATH lines; removes what is left at EOF)\n"
	      "Namespaces: --pid --mount --net --uts --ipc --cgroupns --time (--pid implies --mount)\n"
	      "  --userns auto|always|never first become root of a new user namespace: auto (default) when\n"
	      "                             CAP_SYS_ADMIN is missing; every other namespace is created in it\n"
	      "Options:\n"
	      "  --hostname NAME            hostname inside (requires --uts; 1..64 chars)\n"
	      "  --monotonic-offset SECS    CLOCK_MONOTONIC offset, up to 9 decimals (requires --time)\n"
	      "  --boottime-offset SECS     CLOCK_BOOTTIME offset, up to 9 decimals (requires --time)\n"
	      "  --cgroup DIR               put the sandbox into DIR/cgroup.procs (repeatable)\n"
	      "  --mount-cgroupfs           read-only cgroup view at /sys/fs/cgroup (requires --mount --cgroupns)\n"
	      "  --rlimit NAME=SOFT[:HARD]  nofile nproc core as fsize stack memlock cpu (repeatable)\n"
	      "  --tmpfs PATH:BYTES         private tmpfs at PATH (requires --mount; repeatable)\n"
	      "  --bind-ro SRC:DST          read-only bind mount (requires --mount; repeatable)\n"
	      "  --keep-path DIR            DIR stays visible under a --tmpfs that covers it (repeatable)\n"
	      "  --join-net PATH            join the network namespace at PATH (not with --net)\n"
	      "  --join-holder SOCKET       join the network namespace held at SOCKET, and its user namespace\n"
	      "  --userns-of SOCKET         join the user namespace held at SOCKET\n"
	      "  --hold SOCKET              hold the namespaces: serve their descriptors at SOCKET, print ready\n"
	      "  --chdir DIR                working directory of PROGRAM\n"
	      "  --keep-fd N                keep descriptor N open in PROGRAM (repeatable)\n"
	      "  --status-file PATH         write the outcome as one line to PATH\n"
	      "  --all-capabilities         PROGRAM keeps every capability (default: those that undo the\n"
	      "                             isolation, CAP_SYS_ADMIN first, are dropped)\n"
	      "  --check                    set everything up, run nothing, exit 0\n"
	      "Exit: PROGRAM's code, 128+N if killed by signal N, 120-127 for launcher failures.\n",
	      stdout);
}
