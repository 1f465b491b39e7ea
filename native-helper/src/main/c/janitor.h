/* --janitor: cleans up after a test JVM that died without doing it itself. */
#ifndef NSJUNIT_JANITOR_H
#define NSJUNIT_JANITOR_H

int run_janitor(const char *run_directory);

#endif
