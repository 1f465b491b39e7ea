package dev.nsjunit.samples.limits;

import dev.nsjunit.CgroupLimit;
import dev.nsjunit.ExpectOomKill;
import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;

/**
 * A service with a native-memory leak (a JNI library, direct buffers freed too late) is killed by
 * the kernel in its 64 MiB container, while its Java heap looks fine. Reproduced in a test. Without
 * {@code @ExpectOomKill} the same test fails with an OomKilledException: "killed by the kernel OOM
 * killer: memory limit 64 MiB, peak 64 MiB".
 */
class OffHeapOomKillSample {

  @Test
  @CgroupLimit(memory = "64M")
  @ExpectOomKill
  void nativeLeakIsKilledByTheKernel() throws Exception {
    Field f = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
    f.setAccessible(true);
    sun.misc.Unsafe unsafe = (sun.misc.Unsafe) f.get(null);
    for (int i = 0; i < 64; i++) { // 64 x 8 MiB, far past the limit
      long address = unsafe.allocateMemory(8 << 20);
      unsafe.setMemory(address, 8 << 20, (byte) 1); // touching the pages is what costs memory
    }
    throw new AssertionError("512 MiB touched and still alive: no memory limit?");
  }
}
