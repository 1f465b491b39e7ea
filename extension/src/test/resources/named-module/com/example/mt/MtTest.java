package com.example.mt;

import dev.nsjunit.CgroupLimit;
import dev.nsjunit.FreshPid;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

class MtTest {
  @Test
  @FreshPid
  void runsAsPid2() {
    Assertions.assertEquals(2L, ProcessHandle.current().pid());
    Assertions.assertEquals("com.example.mt", MtTest.class.getModule().getName());
  }

  @Test
  @CgroupLimit(memory = "128M")
  void limited() {
    Assertions.assertEquals("true", System.getProperty("nsjunit.sandboxed"));
  }
}
