#include "userns_diagnosis.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* The value of sysctl NAME (a path below proc_sys), or -1 when this kernel has no such sysctl. */
static long read_sysctl(const char *proc_sys, const char *name)
{
	char path[512], text[32];
	FILE *f;
	long value = -1;

	snprintf(path, sizeof path, "%s/%s", proc_sys, name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fgets(text, sizeof text, f)) {
		char *end;
		long v = strtol(text, &end, 10);
		if (end != text)
			value = v;
	}
	fclose(f);
	return value;
}

bool apparmor_restricts_userns(const char *proc_sys)
{
	return read_sysctl(proc_sys, "kernel/apparmor_restrict_unprivileged_userns") == 1;
}

const char *describe_userns_blocker(const char *proc_sys, int err, char *buf, size_t len)
{
	long max_userns = read_sysctl(proc_sys, "user/max_user_namespaces");

	/* Debian's and older Ubuntu kernels: a switch that refuses unshare(CLONE_NEWUSER) with EPERM. */
	if (read_sysctl(proc_sys, "kernel/unprivileged_userns_clone") == 0)
		snprintf(
			buf, len,
			"sysctl kernel.unprivileged_userns_clone=0 forbids user namespaces to ordinary users: allow them with "
			"'sysctl -w kernel.unprivileged_userns_clone=1' as root (persist it in /etc/sysctl.d/), or run the tests as root");
	else if (max_userns == 0)
		snprintf(
			buf, len,
			"sysctl user.max_user_namespaces=0 forbids user namespaces: allow them with "
			"'sysctl -w user.max_user_namespaces=15000' as root (persist it in /etc/sysctl.d/), or run the tests as root");
	else if ((err == EPERM || err == EACCES) && apparmor_restricts_userns(proc_sys))
		snprintf(
			buf, len,
			"AppArmor restricts unprivileged user namespaces (sysctl kernel.apparmor_restrict_unprivileged_userns=1, "
			"the default since Ubuntu 23.10): allow them with 'sysctl -w kernel.apparmor_restrict_unprivileged_userns=0' "
			"as root, or an AppArmor profile with the 'userns,' rule for nsjunit-launch (see nsjunit's docs/ide.md), or run the tests as root");
	else if (err == ENOSPC)
		snprintf(
			buf, len,
			"the limit of user namespaces is reached (sysctl user.max_user_namespaces=%ld, counted per user): "
			"raise it, or end leftover sandboxes",
			max_userns);
	else if (err == EUSERS)
		snprintf(
			buf, len,
			"user namespaces are nested 32 deep already: run the tests from a less nested container");
	else if (err == EPERM || err == EACCES)
		snprintf(
			buf, len,
			"no sysctl forbids user namespaces here, so a seccomp filter or a security module does (Docker's default "
			"seccomp profile blocks them: use --security-opt seccomp=unconfined or --privileged; a confined SELinux or "
			"AppArmor domain may too), or the process runs in a chroot; or run the tests as root");
	else
		snprintf(
			buf, len,
			"the kernel refused a user namespace; user namespaces need CONFIG_USER_NS");
	return buf;
}
