/* The --status-file: exactly one line, written atomically (PATH.tmp, then rename). */
#ifndef NSJUNIT_STATUS_FILE_H
#define NSJUNIT_STATUS_FILE_H

void write_status_wait(const char *path, int wait_status); /* "exit N" | "signal N NAME [core]" */
void write_status_error(const char *path, int code, const char *message);
void write_status_parent_gone(const char *path);
void write_status_stopped(const char *path);

/* "SIGKILL" etc. */
const char *signal_name(int sig, char *buf, unsigned len);

#endif
