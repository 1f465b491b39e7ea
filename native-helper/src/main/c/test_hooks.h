/* Points where the launcher's own race tests can stop it (src/test/sh/run-tests.sh). They exist
 * only in the test build (make hooks: nsjunit-launch-hooks, -DNSJUNIT_TEST_HOOKS), never in the
 * binary that is shipped, where test_hook() compiles to nothing. */
#ifndef NSJUNIT_TEST_HOOKS_H
#define NSJUNIT_TEST_HOOKS_H

#ifdef NSJUNIT_TEST_HOOKS
/* With NSJUNIT_TEST_HOOK_DIR set: creates DIR/POINT.reached; when NSJUNIT_TEST_HOOK_HOLD names
 * POINT, then waits until DIR/POINT.go exists. */
void test_hook(const char *point);
/* With NSJUNIT_TEST_HOOK_IGNORE_RESERVED_SIGNALS set: ignores signals 32 and 33 (glibc's own, which
 * glibc will not let a program change) the way a parent such as Maven's JVM leaves them. */
void test_hook_inherited_signals(void);
#else
static inline void test_hook(const char *point) { (void)point; }
static inline void test_hook_inherited_signals(void) {}
#endif

#endif
