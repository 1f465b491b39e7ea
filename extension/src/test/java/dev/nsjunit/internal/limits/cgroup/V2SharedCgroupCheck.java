package dev.nsjunit.internal.limits.cgroup;

/**
 * For the cgroup v2 VM: run this JVM as the child of a shell that stays in the same cgroup (as
 * Surefire's fork shares Maven's) and check that create() refuses with the "holds other processes"
 * explanation instead of moving the shell. With {@code -Dnsjunit.cgroup.parent=...} naming a
 * prepared, empty cgroup it must instead succeed there. Prints the outcome; exit 0 when it is the
 * expected one.
 *
 * <pre>
 * cgroup2-vm -- sh -c 'java -cp ... dev.nsjunit.internal.limits.cgroup.V2SharedCgroupCheck refuse; echo rc=$?'
 * </pre>
 */
public final class V2SharedCgroupCheck {
  private V2SharedCgroupCheck() {}

  public static void main(String[] args) throws Exception {
    boolean expectRefusal = args.length > 0 && args[0].equals("refuse");
    CgroupDriver driver = CgroupDriver.detect();
    System.out.println("detected: " + driver.describe());
    try (TestCgroup group =
        driver.create(CgroupNames.forThisJvm(1), CgroupLimits.none().withMemory(64 << 20))) {
      System.out.println(
          "created "
              + group.attachDirectories()
              + " memory.max="
              + java.nio.file.Files.readString(
                      group.attachDirectories().get(0).resolve("memory.max"))
                  .strip());
      System.exit(expectRefusal ? 1 : 0);
    } catch (CgroupException e) {
      System.out.println("refused: " + e.getMessage());
      System.exit(
          expectRefusal && e.getMessage().contains("holds processes other than this JVM") ? 0 : 1);
    }
  }
}
