package dev.nsjunit.internal.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which jars a child gets rewritten ({@link RewrittenJars}): JUnit's, opentest4j's and nsjunit's,
 * never the test's own or its other dependencies; where the copies go, how a jar the rewriter
 * cannot handle is still usable, and when copies are cleaned up.
 */
class RewrittenJarsTest {

  @Test
  void onlyJUnitsOpentest4jsAndNsjunitsJarsAreReplacedByCopiesInTheCache(@TempDir Path dir)
      throws Exception {
    Path cache = Files.createDirectories(dir.resolve("cache"));
    Path launcher = jar(dir, "junit-platform-launcher-1.14.4.jar", LambdaShapes.class);
    Path engine = jar(dir, "junit-jupiter-engine-5.14.4.jar", LambdaShapes.class);
    Path opentest4j = jar(dir, "opentest4j-1.3.0.jar", LambdaShapes.class);
    // nsjunit's jar is told by what it holds, a user's jar by the same prefix is not.
    Path nsjunit = jar(dir, "nsjunit-0.1.0.jar", dev.nsjunit.internal.child.ChildMain.class);
    Path usersNsjunitNamed = jar(dir, "nsjunit-helpers-2.0.jar", LambdaShapes.class);
    Path usersLibrary = jar(dir, "guava-33.0.jar", LambdaShapes.class);
    Path classes = Files.createDirectories(dir.resolve("target/classes"));
    List<String> jars =
        List.of(
            launcher.toString(),
            engine.toString(),
            opentest4j.toString(),
            nsjunit.toString(),
            usersNsjunitNamed.toString(),
            usersLibrary.toString(),
            classes.toString());

    List<String> child = RewrittenJars.forChild(jars, cache);

    assertThat(child).hasSameSizeAs(jars);
    for (int i : new int[] {0, 1, 2, 3}) {
      Path copy = Path.of(child.get(i));
      assertThat(copy.getParent()).isEqualTo(cache);
      assertThat(RewrittenJars.isCopy(copy)).isTrue();
      assertThat(copy.getFileName().toString())
          .endsWith(Path.of(jars.get(i)).getFileName().toString());
      assertThat(copy).as("not written before the dump needs it").doesNotExist();
    }
    assertThat(child.subList(4, 7)).isEqualTo(jars.subList(4, 7));
    // The same jar maps to the same copy; a rebuilt one (another size or time) to a new one.
    assertThat(RewrittenJars.forChild(jars, cache)).isEqualTo(child);
    Files.setLastModifiedTime(launcher, FileTime.from(Instant.now().plusSeconds(5)));
    assertThat(RewrittenJars.forChild(jars, cache).get(0)).isNotEqualTo(child.get(0));
  }

  @Test
  void writingMakesTheMissingCopiesWithLambdaClassesAndRecordsTheirUse(@TempDir Path dir)
      throws Exception {
    Path cache = Files.createDirectories(dir.resolve("cache"));
    Path engine = jar(dir, "junit-jupiter-engine-5.14.4.jar", LambdaShapes.class);
    List<String> source = List.of(engine.toString());
    List<String> child = RewrittenJars.forChild(source, cache);

    RewrittenJars.write(source, child);

    Path copy = Path.of(child.get(0));
    try (JarFile file = new JarFile(copy.toFile())) {
      assertThat(file.getEntry(entry(LambdaShapes.class))).isNotNull();
      assertThat(
              file.getEntry(entry(LambdaShapes.class).replace(".class", "$NsjunitLambda$0.class")))
          .as("a generated class next to its host")
          .isNotNull();
    }
    assertThat(copy.resolveSibling(copy.getFileName() + ".used")).exists();
    // Written once: a later write leaves the copy (whose time an archive checks) as it is.
    FileTime written = Files.getLastModifiedTime(copy);
    Thread.sleep(20);
    RewrittenJars.write(source, child);
    assertThat(Files.getLastModifiedTime(copy)).isEqualTo(written);
    try (var left = Files.list(cache)) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  @Test
  void aCopyThatIsGoneIsReportedAndThePresentOnesAreMarkedUsed(@TempDir Path dir) throws Exception {
    Path cache = Files.createDirectories(dir.resolve("cache"));
    Path engine = jar(dir, "junit-jupiter-engine-5.14.4.jar", LambdaShapes.class);
    Path user = jar(dir, "app.jar", LambdaShapes.class);
    List<String> source = List.of(engine.toString(), user.toString());
    List<String> child = RewrittenJars.forChild(source, cache);
    assertThat(RewrittenJars.presentAndUsed(child)).as("before the copy is written").isFalse();
    RewrittenJars.write(source, child);
    Path used = Path.of(child.get(0) + ".used");
    Files.setLastModifiedTime(used, FileTime.from(Instant.now().minus(Duration.ofDays(6))));

    assertThat(RewrittenJars.presentAndUsed(child)).isTrue();

    assertThat(Files.getLastModifiedTime(used).toInstant())
        .isAfter(Instant.now().minus(Duration.ofMinutes(1)));
  }

  @Test
  void aJarTheRewriterCannotReadIsCopiedAsItIsSoTheChildStillRuns(@TempDir Path dir)
      throws Exception {
    Path cache = Files.createDirectories(dir.resolve("cache"));
    Path broken = dir.resolve("junit-platform-commons-9.9.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(broken))) {
      out.putNextEntry(new JarEntry("org/junit/Broken.class"));
      out.write(new byte[] {(byte) 0xCA, (byte) 0xFE, 0, 1, 2}); // not a class file
      out.closeEntry();
    }
    List<String> source = List.of(broken.toString());
    List<String> child = RewrittenJars.forChild(source, cache);

    RewrittenJars.write(source, child);

    assertThat(Files.readAllBytes(Path.of(child.get(0)))).isEqualTo(Files.readAllBytes(broken));
  }

  @Test
  void copiesUnusedForAWeekAreRemovedWithTheirUseRecord(@TempDir Path dir) throws Exception {
    Instant now = Instant.now();
    Path old = Files.createFile(dir.resolve("nsjunit-lambdas-aaaaaaaaaaaa-junit-x.jar"));
    Path oldUse = Files.createFile(dir.resolve(old.getFileName() + ".used"));
    Files.setLastModifiedTime(oldUse, FileTime.from(now.minus(Duration.ofDays(8))));
    // Made long ago but used yesterday: kept.
    Path used = Files.createFile(dir.resolve("nsjunit-lambdas-bbbbbbbbbbbb-junit-y.jar"));
    Files.setLastModifiedTime(used, FileTime.from(now.minus(Duration.ofDays(30))));
    Path usedUse = Files.createFile(dir.resolve(used.getFileName() + ".used"));
    Files.setLastModifiedTime(usedUse, FileTime.from(now.minus(Duration.ofDays(1))));
    Path other = Files.createFile(dir.resolve("junit-z.jar"));
    Files.setLastModifiedTime(other, FileTime.from(now.minus(Duration.ofDays(30))));

    List<Path> removed = RewrittenJars.prune(dir, now.minus(ArchiveCache.UNUSED_FOR));

    assertThat(removed).containsExactly(old);
    assertThat(old).doesNotExist();
    assertThat(oldUse).doesNotExist();
    assertThat(used).exists();
    assertThat(usedUse).exists();
    assertThat(other).exists();
  }

  private static String entry(Class<?> c) {
    return c.getName().replace('.', '/') + ".class";
  }

  /** A jar named {@code name} holding the class file of {@code c}. */
  private static Path jar(Path dir, String name, Class<?> c) throws Exception {
    Path jar = dir.resolve(name);
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        var in = c.getClassLoader().getResourceAsStream(entry(c))) {
      out.putNextEntry(new JarEntry(entry(c)));
      out.write(in.readAllBytes());
      out.closeEntry();
    }
    return jar;
  }
}
