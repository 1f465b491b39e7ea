package dev.nsjunit.samples.ci;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.OperatingSystemMXBean;
import dev.nsjunit.CgroupLimit;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** Run by Failsafe in `mvn verify`: limits work there as under Surefire. */
class PackagedServiceIT {

  @Test
  @CgroupLimit(memory = "96M", pids = 200)
  void startsWithinItsLimits() {
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    assertThat(os.getTotalMemorySize()).isEqualTo(96L << 20);
    assertThat(ProcessHandle.current().pid()).isEqualTo(2);
  }
}
