package dev.nsjunit.internal.run;

import dev.nsjunit.internal.channel.Message;
import dev.nsjunit.internal.launcher.LauncherStatus;
import dev.nsjunit.internal.limits.cgroup.CgroupLimits;
import dev.nsjunit.internal.limits.cgroup.Usage;
import java.time.Duration;
import java.util.Optional;

/**
 * The facts of one sandbox run, as observed by the parent; the result package turns them into the
 * test's outcome.
 *
 * @param result the child's report of the test, if it sent one
 * @param exitCalled where the test called System.exit, if it did
 * @param status the launcher's status file
 * @param processExitCode the launcher's exit code (-1: never exited, we gave up waiting)
 * @param timedOut the sandbox ran past {@code timeout} and was killed
 * @param timeout the hard limit that applied
 * @param bootTimedOut the child never said hello within the boot timeout
 * @param threadDump the child's threads at the timeout, if it answered
 * @param channelError what was wrong with the channel, if anything
 * @param connected whether the child connected at all
 * @param stderrTail the last lines the sandbox wrote to stderr
 * @param stdoutTail the last lines the sandbox wrote to stdout (HotSpot's crash banner goes there)
 * @param wallTime from start to the end of teardown
 * @param usage what the sandbox's cgroup recorded, when it had one
 * @param limits the cgroup limits that applied
 */
public record RunRecord(
    Optional<Message.Result> result,
    Optional<Message.ExitCalled> exitCalled,
    Optional<LauncherStatus> status,
    int processExitCode,
    boolean timedOut,
    Duration timeout,
    boolean bootTimedOut,
    Optional<String> threadDump,
    Optional<String> channelError,
    boolean connected,
    String stderrTail,
    String stdoutTail,
    Duration wallTime,
    Optional<Usage> usage,
    CgroupLimits limits) {

  /** OOM kills in the sandbox's cgroup (0 without a cgroup). */
  public long oomKills() {
    return usage.map(Usage::oomKills).orElse(0L);
  }
}
