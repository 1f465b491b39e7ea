/*
 * corespeed: the same fixed integer loop, and the CPU time it took (ms) on the CPU it runs on.
 * The harness runs it pinned to each CPU in turn (taskset -c N): on a VM, one virtual CPU can be
 * much slower than another (a host core shared with another guest's thread), which every
 * measurement that needs both cores at once inherits.
 */
#include <stdio.h>
#include <time.h>

int main(void)
{
	struct timespec a, b;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
	volatile unsigned long x = 0;
	for (unsigned long i = 0; i < 300000000UL; i++) {
		x += i * i;
	}
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
	printf("cpu %.3f\n", (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
	return 0;
}
