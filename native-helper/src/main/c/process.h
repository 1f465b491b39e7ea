/* The per-process setup of the sandbox: what PROGRAM inherits, and the exec itself. */
#ifndef NSJUNIT_PROCESS_H
#define NSJUNIT_PROCESS_H

#include <stdbool.h>
#include <stdnoreturn.h>
#include <sys/types.h>

#include "channels.h"
#include "options.h"

void die_with_parent(pid_t expected_parent, bool check_parent);
void leave_the_terminal(void);
void apply_rlimits(const struct options *opts);
void change_directory(const char *dir);
void replace_stdin_with_dev_null(void);
void close_inherited_fds(const struct options *opts, const struct channels *ch);
noreturn void exec_program(char **program);

#endif
