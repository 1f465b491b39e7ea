#include "channels.h"

#include <fcntl.h>
#include <unistd.h>

#include "errors.h"

static void open_pipe(int *read_end, int *write_end)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		die_with_error(EXIT_INTERNAL, NULL, "creating launcher pipes", "pipe2(O_CLOEXEC)");
	*read_end = fds[0];
	*write_end = fds[1];
}

void open_channels(struct channels *ch)
{
	open_pipe(&ch->armed_read, &ch->armed_write);
	open_pipe(&ch->release_read, &ch->release_write);
	open_pipe(&ch->error_read, &ch->error_write);
	open_pipe(&ch->status_read, &ch->status_write);
}

/* Each side closes the other side's ends, or EOF would never come. */
void keep_outer_ends(struct channels *ch)
{
	close(ch->armed_write);
	close(ch->release_read);
	close(ch->error_write);
	close(ch->status_write);
	ch->armed_write = ch->release_read = ch->error_write = ch->status_write = -1;
}

void keep_sandbox_ends(struct channels *ch)
{
	close(ch->armed_read);
	close(ch->release_write);
	close(ch->error_read);
	close(ch->status_read);
	ch->armed_read = ch->release_write = ch->error_read = ch->status_read = -1;
}

/* The pipe orders the two: the outer reads the byte after the sandbox set PR_SET_PDEATHSIG, so
 * when the outer exits later the kernel sees it set and kills the sandbox. A write that fails
 * (EPIPE: the outer is gone, SIGPIPE is ignored until exec) means nobody will release us. */
void report_armed(struct channels *ch)
{
	if (write(ch->armed_write, "a", 1) != 1)
		_exit(EXIT_INTERNAL);
	close(ch->armed_write);
	ch->armed_write = -1;
}

/* False when the sandbox ended before it was armed: its error record says why. */
bool wait_until_armed(struct channels *ch)
{
	char armed;
	ssize_t n;
	while ((n = read(ch->armed_read, &armed, 1)) < 0 && errno == EINTR)
		;
	close(ch->armed_read);
	ch->armed_read = -1;
	return n == 1;
}

void release_sandbox(struct channels *ch)
{
	if (write(ch->release_write, "g", 1) != 1)
		die_with_error(EXIT_INTERNAL, NULL, "releasing the sandbox", "write(release pipe)");
	close(ch->release_write);
	ch->release_write = -1;
}

void wait_for_release(struct channels *ch)
{
	char go;
	ssize_t n;
	while ((n = read(ch->release_read, &go, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		_exit(EXIT_INTERNAL); /* the outer is gone (or failed and reports it itself) */
	close(ch->release_read);
	ch->release_read = -1;
}
