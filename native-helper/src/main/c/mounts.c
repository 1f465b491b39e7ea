#include "mounts.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errors.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define MAX_CGROUP_MOUNTS 64
#define MAX_CGROUP_LINKS 32

/* Without this, our mounts would propagate back to the host (systemd makes / shared). */
void make_mounts_private(void)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die_with_error(EXIT_MOUNT, hint_mount, "making mounts private",
			       "mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE)");
}

/* The host's /proc would show the host's pids; a fresh one shows our pid namespace. The host's
 * is detached first, so that unmounting ours (a test with every capability can) reveals an
 * empty directory, not the host's processes. In a user namespace it cannot be detached (the
 * kernel locks mounts that came from the more privileged namespace: EINVAL); there the test
 * lacks CAP_SYS_ADMIN to unmount ours (restrict_privileges), unless it asked for every capability. */
void mount_proc(void)
{
	if (umount2("/proc", MNT_DETACH) < 0 && errno != EINVAL && errno != EPERM)
		die_with_error(EXIT_MOUNT, hint_mount, "mounting /proc",
			       "umount2(\"/proc\", MNT_DETACH)");
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		die_with_error(
			EXIT_MOUNT, hint_mount, "mounting /proc",
			"mount(\"proc\", \"/proc\", \"proc\", MS_NOSUID|MS_NODEV|MS_NOEXEC)");
}

/* mkdir -p; -1 with errno set (and the component that failed in failed) on the first error. */
static int make_directories(const char *path, char *failed, size_t failed_len)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
		errno = ENAMETOOLONG;
		snprintf(failed, failed_len, "%s", path);
		return -1;
	}
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;
			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
				snprintf(failed, failed_len, "%s", buf);
				return -1;
			}
			*p = saved;
			if (saved == '\0')
				break;
		}
	}
	return 0;
}

/* Each entry of the directory old (read through source_prefix, a path that still reaches it) as
 * a placeholder in target with the entry bind-mounted on it: the same files, seen in a tmpfs. */
static void replicate_entries(int old, const char *source_prefix, const char *target)
{
	DIR *dir = fdopendir(dup(old));
	struct dirent *de;

	if (!dir)
		die_with_error(EXIT_MOUNT, NULL, "making a mount point", "fdopendir(%s)",
			       source_prefix);
	while ((de = readdir(dir))) {
		char src[PATH_MAX], dst[PATH_MAX], link[PATH_MAX];
		struct stat st;
		ssize_t n;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    fstatat(old, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		snprintf(src, sizeof src, "%s/%s", source_prefix, de->d_name);
		snprintf(dst, sizeof dst, "%s/%s", strcmp(target, "/") == 0 ? "" : target,
			 de->d_name);
		if (S_ISLNK(st.st_mode)) {
			n = readlinkat(old, de->d_name, link, sizeof link - 1);
			if (n < 0 || (link[n] = '\0', symlink(link, dst) < 0))
				die_with_error(EXIT_MOUNT, NULL, "making a mount point",
					       "symlink(\"%s\")", dst);
			continue;
		}
		if (S_ISDIR(st.st_mode) ? mkdir(dst, 0755) < 0 : mknod(dst, S_IFREG | 0644, 0) < 0)
			die_with_error(EXIT_MOUNT, NULL, "making a mount point", "creating \"%s\"",
				       dst);
		if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
			die_with_error(EXIT_MOUNT, hint_mount, "making a mount point",
				       "mount(\"%s\", \"%s\", NULL, MS_BIND|MS_REC)", src, dst);
	}
	closedir(dir);
}

/* "/" cannot simply be covered (a process's root stays below whatever is mounted on it): the new
 * root is staged at /tmp and pivoted in, the old one stays reachable at /.nsjunit-old-root until
 * each of its entries is bound into the new one, then it is detached (bubblewrap does the same). */
static void shadow_root(mode_t mode)
{
	static const char *const old_root = "/.nsjunit-old-root";
	int old;

	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") < 0)
		die_with_error(EXIT_MOUNT, hint_mount, "making a mount point below /",
			       "mount(\"tmpfs\", \"/tmp\", \"tmpfs\")");
	if (mkdir("/tmp/.nsjunit-old-root", 0700) < 0 || chdir("/tmp") < 0)
		die_with_error(EXIT_MOUNT, NULL, "making a mount point below /",
			       "mkdir(\"/tmp/.nsjunit-old-root\")");
	if (syscall(SYS_pivot_root, ".", ".nsjunit-old-root") < 0)
		die_with_error(EXIT_MOUNT, hint_mount, "making a mount point below /",
			       "pivot_root(\"/tmp\", \"/tmp/.nsjunit-old-root\")");
	if (chdir("/") < 0 || (old = open(old_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		die_with_error(EXIT_MOUNT, NULL, "making a mount point below /", "open(\"%s\")",
			       old_root);
	replicate_entries(old, old_root, "/");
	close(old);
	if (umount2(old_root, MNT_DETACH) < 0 || rmdir(old_root) < 0)
		die_with_error(EXIT_MOUNT, hint_mount, "making a mount point below /",
			       "umount2(\"%s\", MNT_DETACH)", old_root);
	chmod("/", mode);
}

/* Replaces dir, in this mount namespace only, by a tmpfs holding bind mounts of all its entries,
 * so a mount point can be made in it where this user may not write (an ordinary user below a
 * directory of root's, a read-only root file system). Nothing on the host changes. */
static void shadow_directory(const char *dir)
{
	char prefix[64];
	struct stat st;
	int old = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (old < 0 || fstat(old, &st) < 0)
		die_with_error(EXIT_MOUNT, NULL, "making a mount point", "open(\"%s\")", dir);
	if (strcmp(dir, "/") == 0) {
		close(old);
		shadow_root(st.st_mode & 07777);
		return;
	}
	/* old still reaches the covered directory, and /proc/self/fd/N/ENTRY its entries. */
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") < 0)
		die_with_error(EXIT_MOUNT, hint_mount, "making a mount point",
			       "mount(\"tmpfs\", \"%s\", \"tmpfs\")", dir);
	chmod(dir, st.st_mode & 07777);
	snprintf(prefix, sizeof prefix, "/proc/self/fd/%d", old);
	replicate_entries(old, prefix, dir);
	close(old);
}

/* The mount point of a --tmpfs: made on the host where allowed (as root, as before), else inside
 * a shadow of the nearest directory that exists. */
static void make_mount_point(const char *path)
{
	char failed[PATH_MAX];
	if (make_directories(path, failed, sizeof failed) == 0)
		return;
	if (errno == EACCES || errno == EPERM || errno == EROFS) {
		char *slash = strrchr(failed, '/');
		if (slash == failed)
			slash[1] = '\0'; /* the parent is "/" */
		else if (slash)
			*slash = '\0';
		shadow_directory(failed);
		if (make_directories(path, failed, sizeof failed) == 0)
			return;
	}
	die_with_error(EXIT_MOUNT, NULL, "creating mount point", "mkdir(\"%s\")", failed);
}

void mount_tmpfs(const char *path, unsigned long long bytes)
{
	char data[64];
	make_mount_point(path);
	snprintf(data, sizeof data, "size=%llu,mode=1777", bytes);
	if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, data) < 0)
		die_with_error(EXIT_MOUNT, hint_mount, "mounting --tmpfs",
			       "mount(\"tmpfs\", \"%s\", \"tmpfs\", MS_NOSUID|MS_NODEV, \"%s\")",
			       path, data);
}

/* Opened before the --tmpfs mounts, so the directory stays reachable through the descriptor
 * whatever they cover. */
int hold_kept_path(const char *path)
{
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		die_with_error(EXIT_MOUNT, NULL, "keeping --keep-path visible",
			       "open(\"%s\", O_PATH|O_DIRECTORY)", path);
	return fd;
}

/* After the --tmpfs mounts: where one of them covers the directory, it is bound back at its
 * place (read-write, as it was), in this mount namespace only. */
void restore_kept_path(const char *path, int fd)
{
	struct stat kept, now;
	char source[64];

	if (fstat(fd, &kept) < 0)
		die_with_error(EXIT_MOUNT, NULL, "keeping --keep-path visible", "fstat(\"%s\")",
			       path);
	if (stat(path, &now) < 0 || now.st_dev != kept.st_dev || now.st_ino != kept.st_ino) {
		make_mount_point(path);
		snprintf(source, sizeof source, "/proc/self/fd/%d", fd);
		if (mount(source, path, NULL, MS_BIND | MS_REC, NULL) < 0)
			die_with_error(EXIT_MOUNT, hint_mount, "keeping --keep-path visible",
				       "mount(\"%s\" (%s), \"%s\", NULL, MS_BIND|MS_REC)", source,
				       path, path);
	}
	close(fd);
}

/* A read-only remount must repeat the flags the source mount already has: in a user
 * namespace they are locked and dropping them fails with EPERM. */
static unsigned long locked_flags(const char *path)
{
	struct statvfs st;
	unsigned long flags = 0;
	if (statvfs(path, &st) < 0)
		return 0;
	if (st.f_flag & ST_NOSUID)
		flags |= MS_NOSUID;
	if (st.f_flag & ST_NODEV)
		flags |= MS_NODEV;
	if (st.f_flag & ST_NOEXEC)
		flags |= MS_NOEXEC;
	if (st.f_flag & ST_NOATIME)
		flags |= MS_NOATIME;
	if (st.f_flag & ST_NODIRATIME)
		flags |= MS_NODIRATIME;
	if (st.f_flag & ST_RELATIME)
		flags |= MS_RELATIME;
	return flags;
}

void bind_mount_read_only(const char *source, const char *dest)
{
	if (mount(source, dest, NULL, MS_BIND, NULL) < 0)
		die_with_error(EXIT_MOUNT, hint_mount, "bind-mounting --bind-ro",
			       "mount(\"%s\", \"%s\", NULL, MS_BIND)", source, dest);
	if (mount(NULL, dest, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | locked_flags(dest), NULL) <
	    0)
		die_with_error(EXIT_MOUNT, hint_mount, "bind-mounting --bind-ro",
			       "mount(NULL, \"%s\", NULL, MS_REMOUNT|MS_BIND|MS_RDONLY)", dest);
}

struct cgroup_mount {
	char target[PATH_MAX];
	char fstype[32];
	char options[256]; /* super options without rw/ro, e.g. "cpu,cpuacct" */
};

struct cgroup_link {
	char name[NAME_MAX + 1];
	char target[PATH_MAX];
};

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *out = s;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

static void strip_rw_ro(const char *super_options, char *out, size_t len)
{
	char copy[256];
	char *save = NULL;
	size_t used = 0;
	snprintf(copy, sizeof copy, "%s", super_options);
	out[0] = '\0';
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (strcmp(tok, "rw") != 0 && strcmp(tok, "ro") != 0 && used < len)
			used += (size_t)snprintf(out + used, len - used, "%s%s", used ? "," : "",
						 tok);
}

static int is_cgroup_path(const char *path)
{
	size_t n = strlen(CGROUP_ROOT);
	return strncmp(path, CGROUP_ROOT, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Fields: id parent maj:min root mount-point options [optional...] - fstype source super-options */
static int find_cgroup_mounts(struct cgroup_mount *mounts, int max)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	int n = 0;

	if (!f)
		die_with_error(EXIT_MOUNT, NULL, "reading host cgroup mounts",
			       "fopen(\"/proc/self/mountinfo\")");
	while (getline(&line, &cap, f) > 0) {
		char target[PATH_MAX], fstype[32], super[256];
		char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s", target) != 1 ||
		    sscanf(dash + 3, "%31s %*s %255s", fstype, super) != 2)
			continue;
		unescape_octal(target);
		if ((strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0) ||
		    !is_cgroup_path(target))
			continue;
		if (n == max)
			break;
		snprintf(mounts[n].target, sizeof mounts[n].target, "%s", target);
		snprintf(mounts[n].fstype, sizeof mounts[n].fstype, "%s", fstype);
		strip_rw_ro(super, mounts[n].options, sizeof mounts[n].options);
		n++;
	}
	free(line);
	fclose(f);
	return n;
}

/* e.g. cpu -> cpu,cpuacct; read before the tmpfs hides them. */
static int find_cgroup_links(struct cgroup_link *links, int max)
{
	DIR *dir = opendir(CGROUP_ROOT);
	struct dirent *de;
	int n = 0;

	if (!dir)
		die_with_error(EXIT_MOUNT, hint_mount, "reading host cgroup mounts",
			       "opendir(\"" CGROUP_ROOT "\")");
	while ((de = readdir(dir)) && n < max) {
		char path[PATH_MAX];
		ssize_t len;
		if (de->d_type != DT_LNK)
			continue;
		snprintf(path, sizeof path, CGROUP_ROOT "/%.255s", de->d_name);
		len = readlink(path, links[n].target, sizeof links[n].target - 1);
		if (len < 0)
			continue;
		links[n].target[len] = '\0';
		snprintf(links[n].name, sizeof links[n].name, "%s", de->d_name);
		n++;
	}
	closedir(dir);
	return n;
}

/* A fresh, read-only copy of the host's cgroup mounts, seen through our cgroup namespace,
 * so the JVM's container support finds the test's own limits at the usual place. */
void mount_cgroupfs(void)
{
	static struct cgroup_mount mounts[MAX_CGROUP_MOUNTS];
	static struct cgroup_link links[MAX_CGROUP_LINKS];
	const unsigned long ro = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	int n_mounts = find_cgroup_mounts(mounts, MAX_CGROUP_MOUNTS);
	int n_links = find_cgroup_links(links, MAX_CGROUP_LINKS);

	/* Detach the host's view first. Mounted over, it would stay listed in mountinfo with a root
	 * outside our cgroup namespace ("/.."), and the JVM's container support reads the first
	 * matching line: it then fails with a NullPointerException instead of seeing the limits. */
	for (int i = n_mounts - 1; i >= 0; i--)
		if (umount2(mounts[i].target, MNT_DETACH) < 0 && errno != EINVAL)
			die_with_error(EXIT_MOUNT, hint_mount, "mounting cgroupfs",
				       "umount2(\"%s\", MNT_DETACH)", mounts[i].target);
	if (umount2(CGROUP_ROOT, MNT_DETACH) < 0 && errno != EINVAL)
		die_with_error(EXIT_MOUNT, hint_mount, "mounting cgroupfs",
			       "umount2(\"" CGROUP_ROOT "\", MNT_DETACH)");
	if (mount("tmpfs", CGROUP_ROOT, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=755,size=65536") < 0)
		die_with_error(EXIT_MOUNT, hint_mount, "mounting cgroupfs",
			       "mount(\"tmpfs\", \"" CGROUP_ROOT "\", \"tmpfs\")");
	for (int i = 0; i < n_links; i++) {
		char path[PATH_MAX];
		snprintf(path, sizeof path, CGROUP_ROOT "/%.255s", links[i].name);
		if (symlink(links[i].target, path) < 0)
			die_with_error(EXIT_MOUNT, NULL, "mounting cgroupfs",
				       "symlink(\"%s\", \"%s\")", links[i].target, path);
	}
	for (int i = 0; i < n_mounts; i++) {
		if (strcmp(mounts[i].target, CGROUP_ROOT) != 0 &&
		    mkdir(mounts[i].target, 0755) < 0 && errno != EEXIST)
			die_with_error(EXIT_MOUNT, NULL, "mounting cgroupfs", "mkdir(\"%s\")",
				       mounts[i].target);
		if (mount(mounts[i].fstype, mounts[i].target, mounts[i].fstype, ro,
			  mounts[i].options) < 0)
			die_with_error(
				EXIT_MOUNT, hint_mount, "mounting cgroupfs",
				"mount(\"%s\", \"%s\", \"%s\", MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC, \"%s\")",
				mounts[i].fstype, mounts[i].target, mounts[i].fstype,
				mounts[i].options);
	}
	/* Last, because creating the mount points needed a writable tmpfs. */
	if (mount(NULL, CGROUP_ROOT, NULL, MS_REMOUNT | MS_BIND | ro, NULL) < 0)
		die_with_error(EXIT_MOUNT, hint_mount, "mounting cgroupfs",
			       "mount(NULL, \"" CGROUP_ROOT
			       "\", NULL, MS_REMOUNT|MS_BIND|MS_RDONLY)");
}
