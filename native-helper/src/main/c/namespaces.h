/* Creating and entering namespaces, and configuring the ones whose setup is a single call. */
#ifndef NSJUNIT_NAMESPACES_H
#define NSJUNIT_NAMESPACES_H

#include <sys/types.h>

#include "options.h"

void join_network_namespace(const char *path);
void create_time_namespace(const struct options *opts);
pid_t clone_sandbox(unsigned long flags);
void write_id_maps(pid_t sandbox);
void set_hostname(const char *name);

#endif
