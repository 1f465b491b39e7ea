package dev.nsjunit.internal.limits;

import dev.nsjunit.internal.limits.cgroup.Usage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A sandbox's cgroup usage as JUnit report entries (Surefire writes them into its XML report as
 * properties), with stable keys: numbers in bytes and milliseconds, so tools can chart them.
 */
public final class UsageEntries {
  private UsageEntries() {}

  public static Map<String, String> of(Usage usage) {
    Map<String, String> entries = new LinkedHashMap<>();
    entries.put("nsjunit.memory.peak.bytes", Long.toString(usage.memoryPeakBytes()));
    entries.put("nsjunit.cpu.time.ms", Long.toString(usage.cpuTime().toMillis()));
    entries.put("nsjunit.cpu.throttled.ms", Long.toString(usage.throttledTime().toMillis()));
    usage
        .pidsPeak()
        .ifPresentOrElse(
            peak -> entries.put("nsjunit.pids.peak", Long.toString(peak)),
            () -> entries.put("nsjunit.pids.current", Long.toString(usage.pidsCurrent())));
    entries.put("nsjunit.oom.kills", Long.toString(usage.oomKills()));
    return entries;
  }
}
