/* Everything the sandbox mounts in its private mount namespace. */
#ifndef NSJUNIT_MOUNTS_H
#define NSJUNIT_MOUNTS_H

void make_mounts_private(void);
void mount_proc(void);
void mount_cgroupfs(void);
void mount_tmpfs(const char *path, unsigned long long bytes);
/* --keep-path: a descriptor taken before the --tmpfs mounts, then the directory bound back if covered. */
int hold_kept_path(const char *path);
void restore_kept_path(const char *path, int fd);
void bind_mount_read_only(const char *source, const char *dest);

#endif
