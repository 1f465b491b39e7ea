#include "test_hooks.h"

#ifdef NSJUNIT_TEST_HOOKS
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

void test_hook(const char *point)
{
	const char *dir = getenv("NSJUNIT_TEST_HOOK_DIR");
	const char *hold = getenv("NSJUNIT_TEST_HOOK_HOLD");
	char path[4096];
	int fd;

	if (!dir)
		return;
	snprintf(path, sizeof path, "%s/%s.reached", dir, point);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	if (!hold || strcmp(hold, point) != 0)
		return;
	snprintf(path, sizeof path, "%s/%s.go", dir, point);
	while (access(path, F_OK) != 0)
		usleep(10000);
}

void test_hook_inherited_signals(void)
{
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		uint64_t mask;
	} ignore = {.handler = SIG_IGN};
	if (!getenv("NSJUNIT_TEST_HOOK_IGNORE_RESERVED_SIGNALS"))
		return;
	syscall(SYS_rt_sigaction, 32, &ignore, NULL, sizeof ignore.mask);
	syscall(SYS_rt_sigaction, 33, &ignore, NULL, sizeof ignore.mask);
}
#else
/* ISO C wants a translation unit to declare something. */
typedef int test_hooks_are_compiled_out;
#endif
