package dev.nsjunit.samples.ci;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.OperatingSystemMXBean;
import dev.nsjunit.CgroupLimit;
import dev.nsjunit.ExpectOomKill;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;

/** What a service sees in a 64 MiB container, and what happens when it leaks native memory. */
class MemoryLimitTest {

  @Test
  @CgroupLimit(memory = "64M")
  void jvmSeesItsContainerMemoryLimit() {
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    assertThat(os.getTotalMemorySize()).isEqualTo(64L << 20);
    assertThat(Runtime.getRuntime().maxMemory()).isLessThan(64L << 20); // heap sized from the limit
  }

  @Test
  @CgroupLimit(memory = "64M")
  @ExpectOomKill
  void nativeLeakIsKilledByTheKernel() throws Exception {
    Field f = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
    f.setAccessible(true);
    sun.misc.Unsafe unsafe = (sun.misc.Unsafe) f.get(null);
    for (int i = 0; i < 32; i++) { // 32 x 8 MiB, far past the limit
      long address = unsafe.allocateMemory(8 << 20);
      unsafe.setMemory(address, 8 << 20, (byte) 1);
    }
  }
}
