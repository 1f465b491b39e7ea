/* describe_userns_blocker() against recorded /proc/sys trees of the machines it must explain:
 * each case writes the sysctl files such a machine has (and only those) into a temp directory.
 * Prints "ok - ..." / "not ok - ..." lines like run-tests.sh; exits 1 if any failed. */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../main/c/userns_diagnosis.h"

static int failed, passed;
static char root[] = "/tmp/nsjunit-diagnosis-test.XXXXXX";

struct sysctl {
	const char *name; /* below /proc/sys */
	const char *value;
};

/* A fresh /proc/sys copy with just these files. */
static const char *recorded(const char *machine, const struct sysctl *values)
{
	static char dir[256];
	char path[512];
	snprintf(dir, sizeof dir, "%s/%s", root, machine);
	mkdir(dir, 0700);
	snprintf(path, sizeof path, "%s/kernel", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/user", dir);
	mkdir(path, 0700);
	for (; values && values->name; values++) {
		FILE *f;
		snprintf(path, sizeof path, "%s/%s", dir, values->name);
		f = fopen(path, "w");
		if (!f) {
			perror(path);
			exit(2);
		}
		fprintf(f, "%s\n", values->value);
		fclose(f);
	}
	return dir;
}

static void expect(const char *name, const char *proc_sys, int err, const char *must_contain,
		   const char *must_not_contain)
{
	char text[512];
	describe_userns_blocker(proc_sys, err, text, sizeof text);
	if (strstr(text, must_contain) && !(must_not_contain && strstr(text, must_not_contain))) {
		printf("ok - %s\n", name);
		passed++;
	} else {
		printf("not ok - %s: got \"%s\"\n", name, text);
		failed++;
	}
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(path);
}

static void remove_tree(void)
{
	if (nftw(root, remove_entry, 8, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "could not remove %s\n", root);
}

int main(void)
{
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 2;
	}
	atexit(remove_tree);

	/* Debian 11/12 and Ubuntu before 23.10 with the Debian switch turned off. */
	const struct sysctl debian_off[] = {{"kernel/unprivileged_userns_clone", "0"},
					    {"user/max_user_namespaces", "63459"},
					    {0, 0}};
	expect("Debian's kernel.unprivileged_userns_clone=0 is named with the command that allows it",
	       recorded("debian-off", debian_off), EPERM,
	       "sysctl kernel.unprivileged_userns_clone=0 forbids", "max_user_namespaces=0");
	expect("... and the fix is the sysctl command", recorded("debian-off", debian_off), EPERM,
	       "'sysctl -w kernel.unprivileged_userns_clone=1'", NULL);

	/* RHEL 7 style: no Debian switch, the limit set to 0. */
	const struct sysctl rhel_zero[] = {{"user/max_user_namespaces", "0"}, {0, 0}};
	expect("user.max_user_namespaces=0 is named (unshare fails with ENOSPC there)",
	       recorded("rhel-zero", rhel_zero), ENOSPC,
	       "sysctl user.max_user_namespaces=0 forbids user namespaces: allow them with 'sysctl -w user.max_user_namespaces=15000'",
	       NULL);

	/* Ubuntu 24.04: namespaces allowed by both switches, AppArmor takes the capabilities away. */
	const struct sysctl ubuntu_2404[] = {{"kernel/unprivileged_userns_clone", "1"},
					     {"kernel/apparmor_restrict_unprivileged_userns", "1"},
					     {"user/max_user_namespaces", "127317"},
					     {0, 0}};
	expect("Ubuntu 24.04's AppArmor restriction is named when a step in the namespace is refused (EPERM)",
	       recorded("ubuntu-2404", ubuntu_2404), EPERM,
	       "AppArmor restricts unprivileged user namespaces (sysctl kernel.apparmor_restrict_unprivileged_userns=1",
	       NULL);
	expect("... also for EACCES, with both ways to allow it",
	       recorded("ubuntu-2404", ubuntu_2404), EACCES,
	       "'sysctl -w kernel.apparmor_restrict_unprivileged_userns=0' as root, or an AppArmor profile with the 'userns,' rule for nsjunit-launch",
	       NULL);
	const struct sysctl ubuntu_allowed[] = {
		{"kernel/unprivileged_userns_clone", "1"},
		{"kernel/apparmor_restrict_unprivileged_userns", "0"},
		{"user/max_user_namespaces", "127317"},
		{0, 0}};
	expect("with the restriction off, AppArmor is not blamed",
	       recorded("ubuntu-allowed", ubuntu_allowed), EPERM,
	       "seccomp filter or a security module", "AppArmor restricts");

	/* This project's CI machine: only the limit exists, and it is not 0. */
	const struct sysctl ci_vm[] = {{"user/max_user_namespaces", "96362"}, {0, 0}};
	expect("a full namespace count (ENOSPC) is told apart from a forbidding 0",
	       recorded("ci-vm", ci_vm), ENOSPC,
	       "the limit of user namespaces is reached (sysctl user.max_user_namespaces=96362",
	       NULL);
	expect("EPERM without any forbidding sysctl points at seccomp (Docker's default profile)",
	       recorded("ci-vm", ci_vm), EPERM,
	       "Docker's default seccomp profile blocks them: use --security-opt seccomp=unconfined or --privileged",
	       NULL);
	expect("nesting beyond 32 user namespaces (EUSERS)", recorded("ci-vm", ci_vm), EUSERS,
	       "nested 32 deep", NULL);

	/* The Debian switch wins over everything: unshare() is refused before AppArmor is asked. */
	const struct sysctl both[] = {{"kernel/unprivileged_userns_clone", "0"},
				      {"kernel/apparmor_restrict_unprivileged_userns", "1"},
				      {0, 0}};
	expect("with several restrictions the one that blocks first is named",
	       recorded("both", both), EPERM, "kernel.unprivileged_userns_clone=0", "AppArmor");

	printf("user namespace diagnosis tests: %d ok, %d not ok\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
