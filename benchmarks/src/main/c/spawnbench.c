/*
 * spawnbench: the whole-process harness. Runs PROGRAM [ARG...] WARMUP + RUNS times, one after the
 * other (fork, execv, waitpid), and prints the wall time of each measured run in nanoseconds, one
 * per line. PROGRAM's stdout goes to /dev/null, its stderr is kept. Stops with exit 2 at the first
 * run that does not exit 0 (a benchmark of a failing command measures nothing).
 *
 *   spawnbench RUNS WARMUP PROGRAM [ARG...]      (PROGRAM is an absolute path)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: spawnbench RUNS WARMUP PROGRAM [ARG...]\n");
		return 120;
	}
	int runs = atoi(argv[1]);
	int warmup = atoi(argv[2]);
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (devnull < 0) {
		perror("spawnbench: open /dev/null");
		return 2;
	}
	for (int i = 0; i < warmup + runs; i++) {
		long long start = now_ns();
		pid_t pid = fork();
		if (pid < 0) {
			perror("spawnbench: fork");
			return 2;
		}
		if (pid == 0) {
			dup2(devnull, 1);
			execv(argv[3], argv + 3);
			perror("spawnbench: execv");
			_exit(127);
		}
		int status;
		if (waitpid(pid, &status, 0) < 0) {
			perror("spawnbench: waitpid");
			return 2;
		}
		long long elapsed = now_ns() - start;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "spawnbench: run %d of %s ended with wait status 0x%x\n", i,
				argv[3], status);
			return 2;
		}
		if (i >= warmup) {
			printf("%lld\n", elapsed);
		}
	}
	return 0;
}
