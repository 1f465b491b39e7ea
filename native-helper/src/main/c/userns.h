/* The user namespace of a sandbox. With CAP_SYS_ADMIN (root) there is none, as before; without
 * it the outer launcher first becomes root of a user namespace of its own (the caller's uid and
 * gid mapped to 0, setgroups denied), so every namespace it creates afterwards, the time
 * namespace included, belongs to that user namespace. Joining a lab host's namespaces joins the
 * lab's user namespace first, so all namespaces of one lab share one. */
#ifndef NSJUNIT_USERNS_H
#define NSJUNIT_USERNS_H

#include <stdbool.h>

#include "options.h"

bool has_cap_sys_admin(void);
/* --userns=always, or auto without CAP_SYS_ADMIN. */
bool needs_new_user_namespace(const struct options *opts);
void enter_new_user_namespace(void);
/* setns() into the user namespace behind fd unless it is ours already; true if it joined. */
bool join_user_namespace(int fd, const char *what);
/* Whether this launcher runs in a user namespace it created or joined (for error hints). */
bool in_sandbox_user_namespace(void);

#endif
