#include "userns.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errors.h"

static bool entered;

bool in_sandbox_user_namespace(void) { return entered; }

bool has_cap_sys_admin(void)
{
	struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &header, data) < 0)
		return false;
	return (data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective & CAP_TO_MASK(CAP_SYS_ADMIN)) != 0;
}

bool needs_new_user_namespace(const struct options *o)
{
	switch (o->userns) {
	case USERNS_ALWAYS:
		return true;
	case USERNS_NEVER:
		return false;
	case USERNS_AUTO:
		break;
	}
	return !has_cap_sys_admin();
}

static void write_own_map(const char *file, const char *content)
{
	char path[64];
	size_t len = strlen(content);
	int fd;

	snprintf(path, sizeof path, "/proc/self/%s", file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die_with_error(EXIT_OUTER_SETUP, hint_user_namespace,
			       "mapping the caller to root in its user namespace",
			       "open(\"%s\", O_WRONLY)", path);
	if (write(fd, content, len) != (ssize_t)len)
		die_with_error(EXIT_OUTER_SETUP, hint_user_namespace,
			       "mapping the caller to root in its user namespace",
			       "write(\"%s\", \"%.*s\")", path, (int)strcspn(content, "\n"),
			       content);
	close(fd);
}

/* Only the caller's own uid and gid are mapped: newuidmap/newgidmap ranges (/etc/subuid) would
 * need those setuid helpers, and files a test made as a subordinate id would be owned by ids the
 * user cannot remove from target/. One id is enough for a JVM that runs one test. */
void enter_new_user_namespace(void)
{
	char map[64];
	unsigned uid = (unsigned)getuid(),
		 gid = (unsigned)getgid(); /* before unshare: then unmapped */

	if (unshare(CLONE_NEWUSER) < 0)
		die_with_error(EXIT_NAMESPACE, hint_user_namespace, "creating a user namespace",
			       "unshare(CLONE_NEWUSER)");
	entered = true;
	/* "deny" first: an unprivileged process may only write its gid_map after denying setgroups. */
	write_own_map("setgroups", "deny");
	snprintf(map, sizeof map, "0 %u 1\n", uid);
	write_own_map("uid_map", map);
	snprintf(map, sizeof map, "0 %u 1\n", gid);
	write_own_map("gid_map", map);
}

bool join_user_namespace(int fd, const char *what)
{
	struct stat target, own;

	if (fstat(fd, &target) < 0 || stat("/proc/self/ns/user", &own) < 0)
		die_with_error(EXIT_NAMESPACE, NULL, "joining a user namespace",
			       "stat(user namespace of %s)", what);
	if (target.st_dev == own.st_dev && target.st_ino == own.st_ino)
		return false;
	/* Allowed because this user created it (its owner has every capability in it). */
	if (setns(fd, CLONE_NEWUSER) < 0)
		die_with_error(EXIT_NAMESPACE, hint_setns, "joining a user namespace",
			       "setns(user namespace of %s, CLONE_NEWUSER)", what);
	entered = true;
	return true;
}
