package dev.nsjunit.internal.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToIntBiFunction;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Lambda call sites rewritten into plain classes behave as the JDK's lambdas do: the fixtures below
 * hold one method per shape of lambda and method reference javac writes (captures of every kind,
 * private bodies, constructors, boxing and widening, results discarded), each returning a value
 * that depends on the lambda running. The rewritten classes are defined by a class loader of the
 * test's own, so the JVM verifies them, and every shape must give the result the original class
 * gives; call sites whose meaning is not certain (serializable lambdas, private bodies of an
 * interface) must stay {@code invokedynamic}.
 */
class LambdaClassesTest {
  private static final String PACKAGE = "dev.nsjunit.internal.jvm.";

  /** The fixture classes, by binary name: each is rewritten and defined by the child loader. */
  private static final List<String> FIXTURES =
      List.of(
          PACKAGE + "LambdaShapes",
          PACKAGE + "LambdaShapesSub",
          PACKAGE + "LambdaShapesApi",
          PACKAGE + "LambdaShapesNest",
          PACKAGE + "LambdaShapesNest$Secrets");

  private static final String METAFACTORY = "metafactory";
  private static final String ALT_METAFACTORY = "altMetafactory";

  // --- the shapes, run on the rewritten classes and on the original ones

  static Stream<Arguments> shapes() {
    List<Arguments> shapes = new ArrayList<>();
    for (String fixture : FIXTURES) {
      for (Method m : shapeMethods(load(fixture, LambdaClassesTest.class.getClassLoader()))) {
        shapes.add(Arguments.of(fixture.substring(PACKAGE.length()), m.getName()));
      }
    }
    return shapes.stream();
  }

  @ParameterizedTest(name = "{0}.{1}")
  @MethodSource("shapes")
  void aRewrittenShapeGivesTheResultOfTheOriginal(String fixture, String shape) throws Exception {
    Class<?> original = Class.forName(PACKAGE + fixture);
    Class<?> rewritten = rewritten(fixture);
    assertThat(rewritten.getClassLoader()).isInstanceOf(RewrittenClasses.class);

    Object expected = run(original, shape);
    Object actual = run(rewritten, shape);

    assertThat(expected).as("the original's result").isNotNull();
    assertThat(actual).as("%s.%s rewritten", fixture, shape).isEqualTo(expected);
  }

  @Test
  void theFixturesHoldEveryShape() {
    List<String> names = shapes().map(a -> (String) a.get()[1]).toList();
    assertThat(names)
        .as("a shape renamed or dropped would go untested")
        .contains(
            "nonCapturingLambda",
            "capturedLocalsOfEveryKind",
            "capturingThis",
            "staticMethodReference",
            "boundInstanceMethodReference",
            "unboundInstanceMethodReference",
            "interfaceMethodReference",
            "constructorReference",
            "arrayConstructorReference",
            "privateStaticMethodReference",
            "privateInstanceMethodReference",
            "superMethodReference",
            "intFunctionBoxesItsArgument",
            "toLongFunctionWidensAnIntResult",
            "supplierBoxesAnIntResult",
            "longBinaryOperator",
            "doubleUnaryOperator",
            "predicateCallingBooleanMethods",
            "consumerDiscardsABooleanResult",
            "lambdaInAGenericMethod",
            "lambdaInTheStaticInitializer",
            "nestedLambda",
            "serializableLambda",
            "jdkMethodReferenceInAnInterface",
            "privateLambdaBodyInAnInterface",
            "privateStaticMethodOfANestmate",
            "privateInstanceMethodOfANestmate",
            "lambdaCallingPrivateMethodsOfANestmate")
        .hasSizeGreaterThanOrEqualTo(40);
  }

  // --- what the rewrite did to the class files

  @Test
  void noMetafactoryCallSiteIsLeftInTheHostAndEachOneIsCounted() throws Exception {
    byte[] original = bytesOf(PACKAGE + "LambdaShapes");
    LambdaClasses.Rewrite rewrite = LambdaClasses.rewriteClass(original);

    List<String> before = bootstraps(original);
    long metafactorySites = before.stream().filter(METAFACTORY::equals).count();
    long altSites = before.stream().filter(ALT_METAFACTORY::equals).count();
    assertThat(metafactorySites).as("the fixture's lambda call sites").isGreaterThan(30);

    assertThat(bootstraps(rewrite.host())).doesNotContain(METAFACTORY);
    assertThat(rewrite.count().rewritten()).isEqualTo((int) metafactorySites);
    assertThat(rewrite.generated()).hasSize((int) metafactorySites);
    assertThat(rewrite.generated().keySet())
        .allMatch(n -> n.startsWith("dev/nsjunit/internal/jvm/LambdaShapes$NsjunitLambda$"))
        .contains("dev/nsjunit/internal/jvm/LambdaShapes$NsjunitLambda$0");
    for (byte[] generated : rewrite.generated().values()) {
      assertThat(bootstraps(generated)).as("a generated class links nothing").isEmpty();
    }
    assertThat(altSites).as("the serializable lambda and its $deserializeLambda$").isPositive();
    assertThat(bootstraps(rewrite.host()).stream().filter(ALT_METAFACTORY::equals).count())
        .as("altMetafactory sites kept")
        .isEqualTo(altSites);
  }

  @Test
  void theSerializableLambdaStaysAnAltMetafactoryCallSite() throws Exception {
    LambdaClasses.Rewrite rewrite = LambdaClasses.rewriteClass(bytesOf(PACKAGE + "LambdaShapes"));

    assertThat(bootstrapsIn(rewrite.host(), "serializableLambda")).containsExactly(ALT_METAFACTORY);
    assertThat(bootstrapsIn(rewrite.host(), "$deserializeLambda$")).contains(ALT_METAFACTORY);
  }

  @Test
  void theSerializableLambdaIsCountedAsLeftAlone() throws Exception {
    byte[] original = bytesOf(PACKAGE + "LambdaShapes");
    long altSites = bootstraps(original).stream().filter(ALT_METAFACTORY::equals).count();

    LambdaClasses.Rewrite rewrite = LambdaClasses.rewriteClass(original);

    assertThat(altSites).as("the serializable lambda and its $deserializeLambda$").isEqualTo(2);
    assertThat(rewrite.count().leftAlone())
        .as("every lambda call site not rewritten, altMetafactory ones included")
        .isEqualTo((int) altSites);
  }

  @Test
  void aMethodReferenceToAPrivateMethodOfANestmateIsLeftAlone() throws Exception {
    // javac 15+ links a nestmate's private method directly (the JDK's lambda class is a hidden
    // nestmate of the host); a class of the rewrite's is no nestmate and may not call it.
    byte[] original = bytesOf(PACKAGE + "LambdaShapesNest");
    LambdaClasses.Rewrite rewrite = LambdaClasses.rewriteClass(original);

    assertThat(bootstrapsIn(rewrite.host(), "privateStaticMethodOfANestmate"))
        .containsExactly(METAFACTORY);
    assertThat(bootstrapsIn(rewrite.host(), "privateInstanceMethodOfANestmate"))
        .containsExactly(METAFACTORY);
    assertThat(bootstrapsIn(rewrite.host(), "lambdaCallingPrivateMethodsOfANestmate"))
        .as("a lambda body in the host may call them")
        .isEmpty();
    assertThat(rewrite.count()).isEqualTo(new LambdaClasses.Count(1, 2));
  }

  @Test
  void aPrivateLambdaBodyInAnInterfaceIsLeftAloneAndAJdkMethodReferenceIsRewritten()
      throws Exception {
    byte[] original = bytesOf(PACKAGE + "LambdaShapesApi");
    LambdaClasses.Rewrite rewrite = LambdaClasses.rewriteClass(original);

    assertThat(rewrite.count()).isEqualTo(new LambdaClasses.Count(1, 1));
    assertThat(bootstrapsIn(rewrite.host(), "jdkMethodReferenceInAnInterface")).isEmpty();
    assertThat(bootstrapsIn(rewrite.host(), "privateLambdaBodyInAnInterface"))
        .containsExactly(METAFACTORY);
  }

  @Test
  void aClassWithoutLambdasKeepsItsBytes() throws Exception {
    byte[] original = bytesOf(PACKAGE + "LambdaShapesNest$Secrets");
    LambdaClasses.Rewrite rewrite = LambdaClasses.rewriteClass(original);

    assertThat(rewrite.host()).isSameAs(original);
    assertThat(rewrite.generated()).isEmpty();
    assertThat(rewrite.count()).isEqualTo(new LambdaClasses.Count(0, 0));
  }

  @Test
  void everyGeneratedClassPassesVerificationAndImplementsOneInterface() throws Exception {
    Map<String, byte[]> classes = rewriteFixtures();
    RewrittenClasses loader = new RewrittenClasses(classes);
    int generated = 0;
    for (String name : classes.keySet()) {
      // initialize: links and verifies the class, even when no shape reaches it
      Class<?> c = Class.forName(name, true, loader);
      assertThat(c.getClassLoader()).isSameAs(loader);
      if (name.contains("$NsjunitLambda$")) {
        generated++;
        assertThat(c.getInterfaces()).as(name).hasSize(1);
        assertThat(c.getSuperclass()).isEqualTo(Object.class);
      }
    }
    assertThat(generated).isGreaterThan(30);
  }

  @Test
  void aNonCapturingLambdaIsOneInstanceOfAGeneratedClass() throws Exception {
    Class<?> rewritten = rewritten("LambdaShapes");
    Method constant = rewritten.getDeclaredMethod("constant");
    constant.setAccessible(true);

    Supplier<?> first = (Supplier<?>) constant.invoke(null);
    Supplier<?> second = (Supplier<?>) constant.invoke(null);

    assertThat(second).isSameAs(first);
    assertThat(first.get()).isEqualTo("constant");
    assertThat(first.getClass().getName()).startsWith(PACKAGE + "LambdaShapes$NsjunitLambda$");
    assertThat(first.getClass().getClassLoader()).isSameAs(rewritten.getClassLoader());
    assertThat(first.getClass().isSynthetic()).isTrue();
  }

  @Test
  void aCapturingLambdaIsANewInstanceEachTime() throws Exception {
    Class<?> rewritten = rewritten("LambdaShapes");
    Method greeting = rewritten.getDeclaredMethod("greeting", String.class);
    greeting.setAccessible(true);

    Supplier<?> first = (Supplier<?>) greeting.invoke(null, "one");
    Supplier<?> second = (Supplier<?>) greeting.invoke(null, "two");

    assertThat(second).isNotSameAs(first);
    assertThat(second.getClass()).isSameAs(first.getClass());
    assertThat(first.getClass().getName()).contains("$NsjunitLambda$");
    assertThat(List.of(first.get(), second.get())).containsExactly("hello one", "hello two");
  }

  // --- a whole jar

  @Test
  void aJarIsRewrittenWithItsResourcesAndManifestAsTheyWere(@TempDir Path tmp) throws Exception {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().putValue("Implementation-Title", "lambda shapes");
    byte[] service = "dev.nsjunit.Example\n".getBytes(StandardCharsets.UTF_8);
    byte[] text = "not a class\n".getBytes(StandardCharsets.UTF_8);
    Path source = tmp.resolve("shapes.jar");
    LambdaClasses.Count expected = new LambdaClasses.Count(0, 0);
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(source), manifest)) {
      put(out, "META-INF/services/dev.nsjunit.Example", service);
      put(out, "a.txt", text);
      for (String fixture : FIXTURES) {
        byte[] bytes = bytesOf(fixture);
        put(out, fixture.replace('.', '/') + ".class", bytes);
        expected = expected.plus(LambdaClasses.rewriteClass(bytes).count());
      }
    }
    Path target = tmp.resolve("shapes-rewritten.jar");

    LambdaClasses.Count count = LambdaClasses.rewriteJar(source, target);

    assertThat(count).isEqualTo(expected);
    assertThat(count.rewritten()).isGreaterThan(30);
    assertThat(count.leftAlone()).isPositive();
    try (JarFile jar = new JarFile(target.toFile())) {
      assertThat(jar.getManifest()).isEqualTo(manifest);
      assertThat(read(jar, "META-INF/services/dev.nsjunit.Example")).isEqualTo(service);
      assertThat(read(jar, "a.txt")).isEqualTo(text);
      String host = "dev/nsjunit/internal/jvm/LambdaShapes";
      assertThat(jar.getEntry(host + "$NsjunitLambda$0.class")).isNotNull();
      assertThat(jar.getEntry("dev/nsjunit/internal/jvm/LambdaShapesSub$NsjunitLambda$0.class"))
          .isNotNull();
      assertThat(bootstraps(read(jar, host + ".class"))).doesNotContain(METAFACTORY);
      long generated = jar.stream().filter(e -> e.getName().contains("$NsjunitLambda$")).count();
      assertThat(generated).isEqualTo(count.rewritten());
    }
    try (JarInputStream in = new JarInputStream(Files.newInputStream(target))) {
      assertThat(in.getManifest()).as("the manifest still leads the jar").isEqualTo(manifest);
    }

    try (URLClassLoader loader =
        new URLClassLoader(
            new URL[] {target.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
      Class<?> shapes = loader.loadClass(PACKAGE + "LambdaShapes");
      assertThat(shapes.getClassLoader()).isSameAs(loader);
      assertThat(run(shapes, "capturedLocalsOfEveryKind"))
          .isEqualTo(run(LambdaShapes.class, "capturedLocalsOfEveryKind"));
      Method constant = shapes.getDeclaredMethod("constant");
      constant.setAccessible(true);
      assertThat(constant.invoke(null).getClass().getName())
          .isEqualTo(PACKAGE + "LambdaShapes$NsjunitLambda$0");
    }
  }

  @Test
  void aJarWithoutManifestGetsNone(@TempDir Path tmp) throws Exception {
    Path source = tmp.resolve("plain.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(source))) {
      put(out, "a.txt", new byte[] {1, 2, 3});
      byte[] api = bytesOf(PACKAGE + "LambdaShapesApi");
      put(out, "dev/nsjunit/internal/jvm/LambdaShapesApi.class", api);
    }
    Path target = tmp.resolve("plain-rewritten.jar");

    LambdaClasses.Count count = LambdaClasses.rewriteJar(source, target);

    assertThat(count).isEqualTo(new LambdaClasses.Count(1, 1));
    try (JarFile jar = new JarFile(target.toFile())) {
      assertThat(jar.getManifest()).isNull();
      assertThat(read(jar, "a.txt")).containsExactly(1, 2, 3);
      assertThat(jar.stream().map(JarEntry::getName))
          .containsExactly(
              "a.txt",
              "dev/nsjunit/internal/jvm/LambdaShapesApi.class",
              "dev/nsjunit/internal/jvm/LambdaShapesApi$NsjunitLambda$0.class");
    }
  }

  /**
   * A multi-release jar's class for a later JDK (JUnit's commons has some) is the one the JVM
   * loads: it is rewritten too. Its generated classes go to the jar's root under names of their
   * own: JDK 17 reads an archived class for a Java agent by its plain name, and crashed when the
   * class was only in the version's directory.
   */
  @Test
  void aMultiReleaseJarsVersionedClassIsRewrittenWithItsClassesAtTheRootUnderNamesOfTheirOwn(
      @TempDir Path tmp) throws Exception {
    Path source = tmp.resolve("multi.jar");
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(new Attributes.Name("Multi-Release"), "true");
    String api = "dev/nsjunit/internal/jvm/LambdaShapesApi";
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(source), manifest)) {
      put(out, api + ".class", bytesOf(PACKAGE + "LambdaShapesApi"));
      put(out, "META-INF/versions/9/" + api + ".class", bytesOf(PACKAGE + "LambdaShapesApi"));
    }
    Path target = tmp.resolve("multi-rewritten.jar");

    LambdaClasses.Count count = LambdaClasses.rewriteJar(source, target);

    assertThat(count).isEqualTo(new LambdaClasses.Count(2, 2));
    try (JarFile jar = new JarFile(target.toFile())) {
      assertThat(jar.stream().map(JarEntry::getName))
          .contains(api + "$NsjunitLambda$0.class", api + "$NsjunitLambda$v9$0.class")
          .noneMatch(e -> e.startsWith("META-INF/versions/9/") && e.contains("$NsjunitLambda$"));
      assertThat(bootstraps(read(jar, "META-INF/versions/9/" + api + ".class")))
          .as("the versioned class's call sites left, as the root's")
          .isEqualTo(bootstraps(read(jar, api + ".class")))
          .containsExactly(METAFACTORY); // the one in the interface with a private body
    }
  }

  // --- helpers

  /** The shape methods: public, no parameters, a String result. */
  private static List<Method> shapeMethods(Class<?> fixture) {
    return Arrays.stream(fixture.getDeclaredMethods())
        .filter(m -> Modifier.isPublic(m.getModifiers()) && !m.isSynthetic())
        .filter(m -> m.getParameterCount() == 0 && m.getReturnType() == String.class)
        .filter(m -> !m.getName().equals("toString"))
        .sorted(Comparator.comparing(Method::getName))
        .toList();
  }

  /** Runs a shape on a new instance of {@code fixture} (or statically, in an interface). */
  private static Object run(Class<?> fixture, String shape) throws Exception {
    Method method = fixture.getDeclaredMethod(shape);
    method.setAccessible(true);
    Object receiver = null;
    if (!Modifier.isStatic(method.getModifiers())) {
      Constructor<?> constructor = fixture.getDeclaredConstructor();
      constructor.setAccessible(true);
      receiver = constructor.newInstance();
    }
    return method.invoke(receiver);
  }

  private static Class<?> load(String name, ClassLoader loader) {
    try {
      return Class.forName(name, false, loader);
    } catch (ClassNotFoundException e) {
      throw new AssertionError(e);
    }
  }

  /** A fixture, rewritten and defined by a new {@link RewrittenClasses}. */
  private static Class<?> rewritten(String fixture) throws Exception {
    return new RewrittenClasses(rewriteFixtures()).loadClass(PACKAGE + fixture);
  }

  /** Every fixture rewritten, with the classes it generated, by binary name. */
  private static Map<String, byte[]> rewriteFixtures() throws IOException {
    Map<String, byte[]> classes = new LinkedHashMap<>();
    for (String fixture : FIXTURES) {
      LambdaClasses.Rewrite rewrite = LambdaClasses.rewriteClass(bytesOf(fixture));
      classes.put(fixture, rewrite.host());
      rewrite.generated().forEach((name, bytes) -> classes.put(name.replace('/', '.'), bytes));
    }
    return classes;
  }

  private static byte[] bytesOf(String binaryName) throws IOException {
    String resource = "/" + binaryName.replace('.', '/') + ".class";
    try (InputStream in = LambdaClassesTest.class.getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      return in.readAllBytes();
    }
  }

  private static byte[] read(JarFile jar, String name) throws IOException {
    JarEntry entry = jar.getJarEntry(name);
    assertThat(entry).as(name).isNotNull();
    try (InputStream in = jar.getInputStream(entry)) {
      return in.readAllBytes();
    }
  }

  private static void put(JarOutputStream out, String name, byte[] bytes) throws IOException {
    out.putNextEntry(new JarEntry(name));
    out.write(bytes);
    out.closeEntry();
  }

  /** The bootstrap method names of every invokedynamic of LambdaMetafactory in a class. */
  private static List<String> bootstraps(byte[] classFile) {
    List<String> all = new ArrayList<>();
    bootstrapsByMethod(classFile).values().forEach(all::addAll);
    return all;
  }

  private static List<String> bootstrapsIn(byte[] classFile, String method) {
    return bootstrapsByMethod(classFile).getOrDefault(method, List.of());
  }

  private static Map<String, List<String>> bootstrapsByMethod(byte[] classFile) {
    Map<String, List<String>> sites = new HashMap<>();
    new ClassReader(classFile)
        .accept(
            new ClassVisitor(Opcodes.ASM9) {
              @Override
              public MethodVisitor visitMethod(
                  int access, String name, String desc, String signature, String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9) {
                  @Override
                  public void visitInvokeDynamicInsn(
                      String indyName, String indyDesc, Handle bsm, Object... bsmArgs) {
                    if (bsm.getOwner().equals("java/lang/invoke/LambdaMetafactory")) {
                      sites.computeIfAbsent(name, k -> new ArrayList<>()).add(bsm.getName());
                    }
                  }
                };
              }
            },
            0);
    return sites;
  }

  /**
   * Defines the rewritten fixtures and their generated classes itself, so that the JVM verifies
   * them; everything else comes from the test's class loader.
   */
  private static final class RewrittenClasses extends ClassLoader {
    private final Map<String, byte[]> classes;

    RewrittenClasses(Map<String, byte[]> classes) {
      super(LambdaClassesTest.class.getClassLoader());
      this.classes = classes;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      byte[] bytes = classes.get(name);
      if (bytes == null) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          c = defineClass(name, bytes, 0, bytes.length);
        }
        if (resolve) {
          resolveClass(c);
        }
        return c;
      }
    }
  }
}

/**
 * One method per shape of lambda and method reference, each a String that depends on the lambda
 * running. Only JDK classes are used, so that the class runs from a jar of its own.
 */
class LambdaShapes {
  private static final Function<String, String> SHOUT = s -> s.toUpperCase(Locale.ROOT) + "!";

  private final String name;

  public LambdaShapes() {
    this("shapes");
  }

  private LambdaShapes(String name) {
    this.name = name;
  }

  @Override
  public String toString() {
    return "LambdaShapes[" + name + "]";
  }

  static Supplier<String> constant() {
    return () -> "constant";
  }

  static Supplier<String> greeting(String who) {
    return () -> "hello " + who;
  }

  private static String secret(String s) {
    return "secret:" + s;
  }

  private String hidden(String s) {
    return name + ":hidden:" + s;
  }

  private static boolean isLong(String s) {
    return s.length() > 3;
  }

  private static <T> Supplier<List<T>> twice(T t) {
    return () -> List.of(t, t);
  }

  public String nonCapturingLambda() {
    Supplier<String> s = () -> "no capture";
    return s.get();
  }

  public String capturedLocalsOfEveryKind() {
    int i = Integer.parseInt("7");
    long l = Long.MAX_VALUE - i;
    double d = i / 4.0;
    boolean b = i > 5;
    Object o = List.of("x", name);
    char c = (char) ('a' + i);
    Supplier<String> s = () -> i + "/" + l + "/" + d + "/" + b + "/" + o + "/" + c;
    return s.get();
  }

  public String capturedWideLocalsWithWideArguments() {
    long l = 40;
    double d = 0.5;
    int i = 2;
    LongUnaryOperator f = x -> x * i + l + (long) (d * 10);
    DoubleBinaryOperator g = (x, y) -> x * y + l + i + d;
    return f.applyAsLong(3) + "/" + g.applyAsDouble(1.5, 2.0);
  }

  public String capturingThis() {
    Function<String, String> f = s -> name + "+" + s;
    return f.apply("this");
  }

  public String capturingThisAndALocal() {
    int n = name.length();
    IntUnaryOperator f = x -> x + n + hidden("x").length();
    return String.valueOf(f.applyAsInt(100));
  }

  public String staticMethodReference() {
    Function<String, Integer> f = Integer::parseInt;
    return String.valueOf(f.apply("42") + 1);
  }

  public String boundInstanceMethodReference() {
    String str = name;
    Function<String, String> f = str::concat;
    return f.apply("-bound");
  }

  public String unboundInstanceMethodReference() {
    Function<String, Integer> f = String::length;
    return String.valueOf(f.apply("seven!!"));
  }

  public String interfaceMethodReference() {
    Function<List<String>, Integer> f = List::size;
    return String.valueOf(f.apply(List.of("a", "b", "c")));
  }

  public String staticInterfaceMethodReference() {
    Function<String, List<String>> f = List::of;
    return f.apply(name).toString();
  }

  public String constructorReference() {
    Function<String, StringBuilder> f = StringBuilder::new;
    return f.apply("abc").reverse().toString();
  }

  public String noArgumentConstructorReference() {
    Supplier<List<String>> s = ArrayList::new;
    List<String> list = s.get();
    list.add(name);
    return list.getClass().getName() + list;
  }

  public String arrayConstructorReference() {
    IntFunction<int[]> f = int[]::new;
    return String.valueOf(f.apply(5).length);
  }

  public String privateConstructorReference() {
    Function<String, LambdaShapes> f = LambdaShapes::new;
    return f.apply("made").toString();
  }

  public String privateStaticMethodReference() {
    UnaryOperator<String> f = LambdaShapes::secret;
    return f.apply(name);
  }

  public String privateInstanceMethodReference() {
    UnaryOperator<String> f = this::hidden;
    return f.apply("ref");
  }

  public String intFunctionBoxesItsArgument() {
    IntFunction<List<Integer>> f = List::of;
    return f.apply(9).toString();
  }

  public String intFunctionOfAPrimitiveMethod() {
    IntFunction<String> f = Integer::toBinaryString;
    return f.apply(10);
  }

  public String toLongFunctionWidensAnIntResult() {
    ToLongFunction<String> f = String::length;
    long n = f.applyAsLong("four") + Integer.MAX_VALUE;
    return String.valueOf(n);
  }

  public String supplierBoxesAnIntResult() {
    String s = name;
    Supplier<Integer> f = s::length;
    Integer n = f.get();
    return n.getClass().getName() + n;
  }

  public String longBinaryOperator() {
    LongBinaryOperator f = Long::sum;
    LongBinaryOperator g = Math::max;
    return f.applyAsLong(Integer.MAX_VALUE, 5L) + "/" + g.applyAsLong(-3L, 1L << 40);
  }

  public String doubleUnaryOperator() {
    DoubleUnaryOperator f = Math::sqrt;
    return String.valueOf(f.applyAsDouble(6.25));
  }

  public String predicateCallingBooleanMethods() {
    Predicate<String> empty = String::isEmpty;
    Predicate<String> isLong = LambdaShapes::isLong;
    Predicate<String> lambda = s -> s.startsWith("s");
    return empty.test("")
        + "/"
        + empty.test(name)
        + "/"
        + isLong.test(name)
        + "/"
        + isLong.test("ab")
        + "/"
        + lambda.test(name);
  }

  public String functionUnboxesAndWidensItsArgument() {
    Function<Integer, Long> f = Long::valueOf;
    Long n = f.apply(Integer.MAX_VALUE);
    return n.getClass().getName() + (n + 1);
  }

  public String functionUnboxesItsArgumentAndBoxesItsResult() {
    Function<Integer, Integer> f = Math::abs;
    return String.valueOf(f.apply(-12));
  }

  public String genericResultUnboxedToAnInt() {
    ToIntBiFunction<List<Integer>, Integer> f = List::get;
    return String.valueOf(f.applyAsInt(List.of(4, 5, 6), 1) + 1);
  }

  public String genericResultUnboxedAndWidenedToALong() {
    ToLongFunction<Supplier<Integer>> f = Supplier::get;
    return String.valueOf(f.applyAsLong(() -> 7) + Integer.MAX_VALUE);
  }

  public String consumerDiscardsABooleanResult() {
    List<String> list = new ArrayList<>();
    Consumer<String> c = list::add;
    c.accept("a");
    c.accept(name);
    return list.toString();
  }

  public String runnableDiscardsAnIntResult() {
    AtomicInteger n = new AtomicInteger(40);
    Runnable r = n::incrementAndGet;
    r.run();
    r.run();
    return String.valueOf(n.get());
  }

  public String runnableDiscardsALongResult() {
    AtomicLong n = new AtomicLong(1L << 33);
    Runnable r = n::incrementAndGet;
    r.run();
    return String.valueOf(n.get());
  }

  public String lambdaInAGenericMethod() {
    return twice(name).get() + "/" + twice(3).get();
  }

  public String lambdaInTheStaticInitializer() {
    return SHOUT.apply(name);
  }

  public String nestedLambda() {
    int base = 10;
    IntFunction<IntSupplier> f = x -> () -> base + x;
    Supplier<Supplier<String>> g = () -> () -> name + "!";
    return f.apply(5).getAsInt() + "/" + g.get().get();
  }

  public String varargsMethodReference() {
    Function<String, List<String>> f = Arrays::asList;
    return f.apply(name).toString();
  }

  public String methodOfAnInaccessibleSuperclass() {
    StringBuilder sb = new StringBuilder(name);
    IntSupplier s = sb::length;
    return String.valueOf(s.getAsInt());
  }

  public String serializableLambda() {
    String x = name;
    Supplier<String> s = (Supplier<String> & Serializable) () -> "serializable " + x;
    return s.get() + "/" + (s instanceof Serializable);
  }
}

/** A subclass, for a method reference to the superclass's method. */
class LambdaShapesSub extends LambdaShapes {
  @Override
  public String toString() {
    return "Sub";
  }

  public String superMethodReference() {
    Supplier<String> s = super::toString;
    return s.get() + " in " + this;
  }
}

/** Lambdas in an interface, whose private bodies cannot be bridged. */
interface LambdaShapesApi {
  static String jdkMethodReferenceInAnInterface() {
    Function<String, Integer> f = String::length;
    return String.valueOf(f.apply("interface"));
  }

  static String privateLambdaBodyInAnInterface() {
    String x = "iface";
    Supplier<String> s = () -> x + "!";
    return s.get();
  }
}

/** Method references to private methods of a nestmate, which javac links directly. */
class LambdaShapesNest {
  public String privateStaticMethodOfANestmate() {
    UnaryOperator<String> f = Secrets::whisper;
    return f.apply("nest");
  }

  public String privateInstanceMethodOfANestmate() {
    Secrets secrets = new Secrets(3);
    IntUnaryOperator f = secrets::times;
    return String.valueOf(f.applyAsInt(14));
  }

  public String lambdaCallingPrivateMethodsOfANestmate() {
    Secrets secrets = new Secrets(5);
    Function<String, String> f = s -> Secrets.whisper(s) + secrets.times(s.length());
    return f.apply("nest");
  }

  /** A nestmate whose private members the host reaches directly. */
  static final class Secrets {
    private final int factor;

    Secrets(int factor) {
      this.factor = factor;
    }

    private static String whisper(String s) {
      return "(" + s + ")";
    }

    private int times(int x) {
      return x * factor;
    }
  }
}
