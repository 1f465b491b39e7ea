/* Everything the sandbox mounts in its private mount namespace. */
#ifndef NSJUNIT_MOUNTS_H
#define NSJUNIT_MOUNTS_H

void make_mounts_private(void);
void mount_proc(void);
void mount_cgroupfs(void);
void mount_tmpfs(const char *path, unsigned long long bytes);
void bind_mount_read_only(const char *source, const char *dest);

#endif
