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

/* Closes one end and marks it closed. */
static void close_end(int *fd)
{
	close(*fd);
	*fd = -1;
}

/* Reads the one byte a pipe carries, again after a signal: false at EOF or on an error. */
static bool read_byte(int fd)
{
	char byte;
	ssize_t n;
	while ((n = read(fd, &byte, 1)) < 0 && errno == EINTR)
		;
	return n == 1;
}

/* Each side closes the other side's ends, or EOF would never come. */
void keep_outer_ends(struct channels *ch)
{
	close_end(&ch->armed_write);
	close_end(&ch->release_read);
	close_end(&ch->error_write);
	close_end(&ch->status_write);
}

void keep_sandbox_ends(struct channels *ch)
{
	close_end(&ch->armed_read);
	close_end(&ch->release_write);
	close_end(&ch->error_read);
	close_end(&ch->status_read);
}

/* The pipe orders the two: the outer reads the byte after the sandbox set PR_SET_PDEATHSIG, so
 * when the outer exits later the kernel sees it set and kills the sandbox. A write that fails
 * (EPIPE: the outer is gone, SIGPIPE is ignored until exec) means nobody will release us. */
void report_armed(struct channels *ch)
{
	if (write(ch->armed_write, "a", 1) != 1)
		_exit(EXIT_INTERNAL);
	close_end(&ch->armed_write);
}

/* False when the sandbox ended before it was armed: its error record says why. */
bool wait_until_armed(struct channels *ch)
{
	bool armed = read_byte(ch->armed_read);
	close_end(&ch->armed_read);
	return armed;
}

void release_sandbox(struct channels *ch)
{
	if (write(ch->release_write, "g", 1) != 1)
		die_with_error(EXIT_INTERNAL, NULL, "releasing the sandbox", "write(release pipe)");
	close_end(&ch->release_write);
}

void wait_for_release(struct channels *ch)
{
	if (!read_byte(ch->release_read))
		_exit(EXIT_INTERNAL); /* the outer is gone (or failed and reports it itself) */
	close_end(&ch->release_read);
}
