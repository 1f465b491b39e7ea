/* Creating and entering namespaces, and configuring the ones whose setup is a single call. */
#ifndef NSJUNIT_NAMESPACES_H
#define NSJUNIT_NAMESPACES_H

#include <sys/types.h>

#include "options.h"

void join_network_namespace(const char *path);
void join_holder_network_namespace(const char *socket);
void join_holder_user_namespace(const char *socket);
void create_time_namespace(const struct options *opts);
pid_t clone_sandbox(unsigned long flags);
void set_hostname(const char *name);

#endif
