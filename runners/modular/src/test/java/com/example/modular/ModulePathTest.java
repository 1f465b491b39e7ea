package com.example.modular;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsjunit.FreshPid;
import dev.nsjunit.IsolatedNetns;
import org.junit.jupiter.api.Test;

/**
 * Run by Surefire on the module path: this class is part of module com.example.modular (patched
 * in), nsjunit and JUnit are on the class path. The sandbox must load it into the same named
 * module. (The package is not under dev.nsjunit: javac would take dev.nsjunit for a package of this
 * module and not find nsjunit's annotations, as in any modular project of that name.)
 */
class ModulePathTest {

  @Test
  void theParentRunsThisTestInTheNamedModule() {
    assertThat(System.getProperty("nsjunit.sandboxed")).isNull();
    assertThat(ModulePathTest.class.getModule().getName()).isEqualTo("com.example.modular");
    assertThat(System.getProperty("jdk.module.path"))
        .as("Surefire put the main classes on the module path")
        .contains("classes");
  }

  @Test
  @FreshPid
  @IsolatedNetns
  void theSandboxRunsThisTestInTheSameNamedModule() throws Exception {
    assertThat(ProcessHandle.current().pid()).isEqualTo(2L);
    assertThat(System.getProperty("nsjunit.sandboxed")).isEqualTo("true");
    assertThat(java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()))
        .hasSize(1);
    assertThat(ModulePathTest.class.getModule().getName()).isEqualTo("com.example.modular");
    assertThat(Clock.module()).isEqualTo("com.example.modular");
    assertThat(ModulePathTest.class.getModule().getLayer()).isSameAs(ModuleLayer.boot());
  }
}
