/* nsjunit-launch: runs one test program in fresh Linux namespaces.
 *
 *   outer launcher ── clone3 ──▶ sandbox PID 1 (init) ── fork ──▶ PROGRAM (PID 2)
 *   (without root the outer first becomes root of a user namespace of its own; with --hold the
 *   sandbox process holds its namespaces and hands out their descriptors instead of a PROGRAM)
 *
 * main() is the outer's sequence of steps, run_sandbox() the sandbox's. Every failure
 * goes through die_with_error() (errors.c): one line on stderr, one exit code. */
#include <stdio.h>
#include <stdnoreturn.h>
#include <unistd.h>

#include "cgroups.h"
#include "channels.h"
#include "errors.h"
#include "holder.h"
#include "init.h"
#include "janitor.h"
#include "mounts.h"
#include "namespaces.h"
#include "network.h"
#include "options.h"
#include "privileges.h"
#include "process.h"
#include "signals.h"
#include "supervisor.h"
#include "test_hooks.h"
#include "userns.h"

static noreturn void run_sandbox(const struct options *o, struct channels *ch, pid_t outer)
{
	int kept[MAX_REPEATED];

	errors_send_to_outer(ch->error_write);
	keep_sandbox_ends(ch);
	test_hook("sandbox-before-pdeathsig");
	die_with_parent(outer, !o->pid);
	report_armed(ch);
	if (!o->pid)
		ch->status_write = (close(ch->status_write), -1); /* only init reports a status */
	wait_for_release(ch);
	leave_the_terminal();

	if (o->mount)
		make_mounts_private();
	if (o->pid)
		mount_proc();
	/* Only now: the outer has moved us into the --cgroup dirs, so they become our root. */
	if (o->cgroupns)
		enter_cgroup_namespace();
	if (o->mount_cgroupfs)
		mount_cgroupfs();
	for (int i = 0; i < o->n_keep_paths; i++)
		kept[i] = hold_kept_path(o->keep_paths[i]);
	for (int i = 0; i < o->n_tmpfs; i++)
		mount_tmpfs(o->tmpfs[i].path, o->tmpfs[i].bytes);
	for (int i = 0; i < o->n_keep_paths; i++)
		restore_kept_path(o->keep_paths[i], kept[i]);
	for (int i = 0; i < o->n_binds; i++)
		bind_mount_read_only(o->binds[i].source, o->binds[i].dest);
	if (o->hostname)
		set_hostname(o->hostname);
	if (o->net)
		bring_up_loopback();
	apply_rlimits(o);
	if (o->chdir)
		change_directory(o->chdir);
	replace_stdin_with_dev_null();
	close_inherited_fds(o, ch);

	if (o->hold)
		hold_namespaces(o->hold, ch); /* runs no test code, and needs none of this */
	/* Last: every step above may need what this takes away. */
	restrict_privileges(o->all_capabilities);
	if (o->pid)
		run_as_init(o, ch);
	if (o->check)
		_exit(0);
	exec_program(o->program);
}

int main(int argc, char **argv)
{
	struct options opts;
	struct channels ch;
	struct outcome outcome;
	pid_t outer, sandbox;

	test_hook_inherited_signals();
	refuse_raised_privileges();
	take_charge_of_signals();
	parse_options(argc, argv, &opts);
	if (opts.help) {
		print_help();
		return 0;
	}
	if (opts.version) {
		puts("nsjunit-launch " NSJUNIT_VERSION);
		return 0;
	}

	if (opts.janitor)
		return run_janitor(opts.program ? opts.program[0] : NULL);

	block_relayed_signals();
	/* User namespace first: every namespace created or joined afterwards needs CAP_SYS_ADMIN in
	 * it. A lab host's namespaces come with the lab's user namespace, so one lab shares one. */
	if (opts.userns_of)
		join_holder_user_namespace(opts.userns_of);
	if (opts.join_holder)
		join_holder_network_namespace(opts.join_holder);
	else if (opts.join_net)
		join_network_namespace(opts.join_net);
	if (!in_sandbox_user_namespace() && !opts.userns_of && !opts.join_holder &&
	    needs_new_user_namespace(&opts))
		enter_new_user_namespace();
	if (opts.time)
		create_time_namespace(&opts);

	open_channels(&ch);
	outer = getpid();
	sandbox = clone_sandbox(clone_flags(&opts));
	if (sandbox == 0)
		run_sandbox(&opts, &ch, outer);
	errors_kill_sandbox_on_failure(sandbox);
	keep_outer_ends(&ch);

	/* The sandbox waits on the release channel until this is done; and it is released only once
	 * our death kills it (if it ended before that, supervise_sandbox reads why). */
	if (wait_until_armed(&ch)) {
		attach_to_cgroups(sandbox, &opts);
		release_sandbox(&ch);
		test_hook("outer-released");
	}

	supervise_sandbox(sandbox, &ch, &opts, &outcome);
	return report_outcome(&outcome, opts.status_file);
}
