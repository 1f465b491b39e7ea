package dev.nsjunit.internal.jvm;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * A jar whose lambda expressions and method references are plain classes: each {@code
 * invokedynamic} that {@code LambdaMetafactory.metafactory} would link becomes a call to a static
 * factory of a small class written next to its host class, which implements the functional
 * interface and calls the lambda's body.
 *
 * <p>Why: a child JVM lives one test, and JUnit's start links some 450 lambda call sites once each.
 * On JDK 17 every first link builds method handles and a call site, even when the lambda's class
 * comes from the class-data archive: measured in a fresh JVM with an archive, 500 lambdas took 145
 * ms of CPU against 85 ms for the same code with inner classes, and a child running one test 400
 * against 326 ms with JUnit's jars rewritten ({@code perf stat -r 10}, twice). A plain class is
 * loaded from the archive and called, with nothing to link. JDK 25's AOT cache keeps linked call
 * sites, and nsjunit gives those children the jars as built.
 *
 * <p>Only call sites whose meaning is certain are rewritten; the rest stay as they are:
 *
 * <ul>
 *   <li>{@code altMetafactory} (serializable lambdas, marker interfaces, bridges);
 *   <li>a call site in an interface whose body is private (a bridge there would have to be public);
 *   <li>a method reference into the host's nest (class files of JDK 11 and later) unless the method
 *       is known, from the same jar, not to be private: javac links a nestmate's private method
 *       directly, which only the JDK's lambda class, itself a nestmate, may call;
 *   <li>a {@code super::} reference that javac did not turn into a method of the host.
 * </ul>
 *
 * <p>A private body in the host is reached through a package-private static bridge with a name of
 * its own ({@code nsjunit$lambda$N}), so that no subclass can override it. The conversions between
 * the interface's method and the body are LambdaMetafactory's: casts, boxing, unboxing (any {@code
 * Number} to a numeric primitive) and primitive widening. A multi-release jar's classes for later
 * JDKs are rewritten too; their generated classes go to the jar's root under names of their own.
 * What may differ from the JDK's lambdas: their classes' names ({@code Host$NsjunitLambda$N}), and
 * that those are ordinary classes of the jar's package, which JUnit's code does not look at.
 */
public final class LambdaClasses {
  private static final String METAFACTORY_OWNER = "java/lang/invoke/LambdaMetafactory";
  private static final String GENERATED = "$NsjunitLambda$";
  private static final String BRIDGE = "nsjunit$lambda$";

  /** What a rewrite did, for the cache's log and for tests. */
  public record Count(int rewritten, int leftAlone) {
    Count plus(Count other) {
      return new Count(rewritten + other.rewritten, leftAlone + other.leftAlone);
    }
  }

  private LambdaClasses() {}

  /** One entry of a jar, in the jar's order. */
  private record JarContent(String name, byte[] bytes) {}

  /**
   * Writes {@code target}: {@code source} with every class's lambda call sites rewritten and the
   * generated classes added; every other entry (resources, manifest, module descriptor) copied as
   * is. Signed jars are not passed here (a rewritten class would break the signature).
   */
  public static Count rewriteJar(Path source, Path target) throws IOException {
    List<JarContent> entries = new ArrayList<>();
    Manifest manifest;
    try (JarInputStream in = new JarInputStream(Files.newInputStream(source), false)) {
      manifest = in.getManifest();
      for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
        byte[] bytes = in.readAllBytes();
        entries.add(new JarContent(e.getName(), bytes));
      }
    }
    // Which methods are private, per class of the jar: a method reference into a nestmate is
    // rewritten only when the method is known not to be private.
    Map<String, Set<String>> privateMethods = new HashMap<>();
    for (JarContent entry : entries) {
      if (entry.name().endsWith(".class") && versionDirectory(entry.name()) != null) {
        try {
          collectPrivateMethods(entry.bytes(), privateMethods);
        } catch (RuntimeException unreadable) {
          // rewriteClass reports it
        }
      }
    }
    Count total = new Count(0, 0);
    try (OutputStream file = Files.newOutputStream(target);
        JarOutputStream out =
            manifest == null ? new JarOutputStream(file) : new JarOutputStream(file, manifest)) {
      for (JarContent entry : entries) {
        String name = entry.name();
        byte[] bytes = entry.bytes();
        String version = versionDirectory(name);
        if (name.endsWith(".class") && version != null && !name.endsWith("module-info.class")) {
          Rewrite r = rewriteClass(bytes, privateMethods::get, versionInfix(version));
          total = total.plus(r.count);
          put(out, name, r.host);
          for (Map.Entry<String, byte[]> g : r.generated.entrySet()) {
            put(out, g.getKey() + ".class", g.getValue());
          }
        } else {
          put(out, name, bytes);
        }
      }
    }
    return total;
  }

  /**
   * The version directory of a class entry: "" for the jar's root, {@code META-INF/versions/N/} for
   * a class of a multi-release jar's version N (JUnit's commons has some: on JDK 9 and later the
   * JVM loads those instead of the root's); null for any other entry.
   */
  private static String versionDirectory(String entry) {
    if (!entry.startsWith("META-INF/")) {
      return "";
    }
    String prefix = "META-INF/versions/";
    if (!entry.startsWith(prefix)) {
      return null;
    }
    int slash = entry.indexOf('/', prefix.length());
    return slash < 0 ? null : entry.substring(0, slash + 1);
  }

  /**
   * What sets apart the names of the classes generated for a version's class ({@code v9$}), which
   * go to the jar's root, not into the version's directory: JDK 17 with a class-data archive reads
   * a shared class's bytes for a Java agent (JaCoCo, Mockito's inline mocks) by its plain name,
   * ignoring the version directories, and crashed in {@code check_shared_class_file_load_hook} when
   * only the version's directory held it.
   */
  private static String versionInfix(String versionDirectory) {
    if (versionDirectory.isEmpty()) {
      return "";
    }
    String prefix = "META-INF/versions/";
    return "v" + versionDirectory.substring(prefix.length(), versionDirectory.length() - 1) + "$";
  }

  private static void put(JarOutputStream out, String name, byte[] bytes) throws IOException {
    JarEntry e = new JarEntry(name);
    out.putNextEntry(e);
    out.write(bytes);
    out.closeEntry();
  }

  /** One class rewritten: its new bytes, the classes it now needs, and what was done. */
  record Rewrite(byte[] host, Map<String, byte[]> generated, Count count) {}

  private static void collectPrivateMethods(byte[] bytes, Map<String, Set<String>> into) {
    ClassNode c = new ClassNode();
    new ClassReader(bytes).accept(c, ClassReader.SKIP_CODE);
    Set<String> names = into.computeIfAbsent(c.name, k -> new HashSet<>());
    for (MethodNode m : c.methods) {
      if ((m.access & Opcodes.ACC_PRIVATE) != 0) {
        names.add(m.name + m.desc);
      }
    }
  }

  /** Rewrites one class file on its own: no method of another class is known. */
  static Rewrite rewriteClass(byte[] bytes) {
    return rewriteClass(bytes, owner -> null, "");
  }

  /**
   * Rewrites one class file; unchanged bytes when it has no lambda call site to rewrite. {@code
   * privateMethods} gives the private methods ({@code name + descriptor}) of another class of the
   * same jar, null for a class it does not know; {@code infix} goes into the generated classes'
   * names ({@link #versionInfix}).
   */
  static Rewrite rewriteClass(
      byte[] bytes, Function<String, Set<String>> privateMethods, String infix) {
    ClassNode host = new ClassNode();
    new ClassReader(bytes).accept(host, 0);
    Map<String, byte[]> generated = new java.util.LinkedHashMap<>();
    List<MethodNode> bridges = new ArrayList<>();
    int rewritten = 0;
    int leftAlone = 0;
    boolean isInterface = (host.access & Opcodes.ACC_INTERFACE) != 0;
    for (MethodNode method : host.methods) {
      for (AbstractInsnNode insn : method.instructions.toArray()) {
        if (!(insn instanceof InvokeDynamicInsnNode indy)
            || !indy.bsm.getOwner().equals(METAFACTORY_OWNER)) {
          continue;
        }
        if (!isMetafactory(indy.bsm)) {
          leftAlone++; // altMetafactory
          continue;
        }
        Handle body = (Handle) indy.bsmArgs[1];
        Handle target = reachable(host, isInterface, body, bridges, privateMethods);
        if (target == null) {
          leftAlone++;
          continue;
        }
        String name = host.name + GENERATED + infix + generated.size();
        generated.put(name, lambdaClass(host, name, indy, target));
        method.instructions.set(
            insn, new MethodInsnNode(Opcodes.INVOKESTATIC, name, "create", indy.desc, false));
        rewritten++;
      }
    }
    if (rewritten == 0) {
      return new Rewrite(bytes, Map.of(), new Count(0, leftAlone));
    }
    host.methods.addAll(bridges);
    ClassWriter writer = new ClassWriter(0); // no branch added: frames and maxima stay valid
    host.accept(writer);
    return new Rewrite(writer.toByteArray(), generated, new Count(rewritten, leftAlone));
  }

  private static boolean isMetafactory(Handle bsm) {
    return bsm.getOwner().equals(METAFACTORY_OWNER)
        && bsm.getName().equals("metafactory")
        && bsm.getTag() == Opcodes.H_INVOKESTATIC;
  }

  /**
   * The handle a generated class in the host's package can call for {@code body}, adding a bridge
   * to the host for a private body; null when there is none.
   */
  private static Handle reachable(
      ClassNode host,
      boolean isInterface,
      Handle body,
      List<MethodNode> bridges,
      Function<String, Set<String>> privateMethods) {
    boolean inHost = body.getOwner().equals(host.name);
    MethodNode declared = inHost ? find(host, body.getName(), body.getDesc()) : null;
    if (!inHost) {
      // javac links a method of another class directly when the host can call it: public, not
      // private in the same package, or (class files of JDK 11 and later) private in a nestmate,
      // which only the JDK's hidden lambda class, itself a nestmate, may call. So a reference into
      // the host's nest is rewritten only when that method is known not to be private.
      if (body.getTag() == Opcodes.H_INVOKESPECIAL) {
        return null;
      }
      if ((host.version & 0xFFFF) >= Opcodes.V11 && inNestOf(host, body.getOwner())) {
        Set<String> known = privateMethods.apply(body.getOwner());
        if (known == null || known.contains(body.getName() + body.getDesc())) {
          return null;
        }
      }
      return body;
    }
    if (declared == null) {
      return null; // inherited through the host: leave it to the JDK
    }
    boolean isPrivate = (declared.access & Opcodes.ACC_PRIVATE) != 0;
    if (!isPrivate) {
      return body.getTag() == Opcodes.H_INVOKESPECIAL ? null : body;
    }
    if (isInterface) {
      return null; // a bridge in an interface would have to be public
    }
    String bridgeDesc;
    Type bodyType = Type.getMethodType(body.getDesc());
    switch (body.getTag()) {
      case Opcodes.H_INVOKESTATIC -> bridgeDesc = body.getDesc();
      case Opcodes.H_INVOKESPECIAL, Opcodes.H_INVOKEVIRTUAL -> {
        Type[] params = new Type[bodyType.getArgumentTypes().length + 1];
        params[0] = Type.getObjectType(host.name);
        System.arraycopy(bodyType.getArgumentTypes(), 0, params, 1, params.length - 1);
        bridgeDesc = Type.getMethodDescriptor(bodyType.getReturnType(), params);
      }
      case Opcodes.H_NEWINVOKESPECIAL ->
          bridgeDesc =
              Type.getMethodDescriptor(Type.getObjectType(host.name), bodyType.getArgumentTypes());
      default -> {
        return null;
      }
    }
    String name = BRIDGE + bridges.size();
    MethodNode bridge =
        new MethodNode(Opcodes.ACC_STATIC | Opcodes.ACC_SYNTHETIC, name, bridgeDesc, null, null);
    Type bridgeType = Type.getMethodType(bridgeDesc);
    if (body.getTag() == Opcodes.H_NEWINVOKESPECIAL) {
      bridge.visitTypeInsn(Opcodes.NEW, host.name);
      bridge.visitInsn(Opcodes.DUP);
    }
    int slot = 0;
    for (Type t : bridgeType.getArgumentTypes()) {
      bridge.visitVarInsn(t.getOpcode(Opcodes.ILOAD), slot);
      slot += t.getSize();
    }
    switch (body.getTag()) {
      case Opcodes.H_INVOKESTATIC ->
          bridge.visitMethodInsn(
              Opcodes.INVOKESTATIC, host.name, body.getName(), body.getDesc(), false);
      case Opcodes.H_NEWINVOKESPECIAL ->
          bridge.visitMethodInsn(Opcodes.INVOKESPECIAL, host.name, "<init>", body.getDesc(), false);
      default -> // a private instance method: invokespecial calls it in every class file version
          bridge.visitMethodInsn(
              Opcodes.INVOKESPECIAL, host.name, body.getName(), body.getDesc(), false);
    }
    bridge.visitInsn(bridgeType.getReturnType().getOpcode(Opcodes.IRETURN));
    bridge.maxLocals = slot;
    bridge.maxStack = Math.max(slot + 2, bridgeType.getReturnType().getSize());
    bridges.add(bridge);
    return new Handle(Opcodes.H_INVOKESTATIC, host.name, name, bridgeDesc, false);
  }

  private static boolean inNestOf(ClassNode host, String owner) {
    String nestHost = host.nestHostClass != null ? host.nestHostClass : host.name;
    return owner.equals(nestHost)
        || owner.startsWith(nestHost + "$")
        || (host.nestMembers != null && host.nestMembers.contains(owner));
  }

  private static MethodNode find(ClassNode host, String name, String desc) {
    for (MethodNode m : host.methods) {
      if (m.name.equals(name) && m.desc.equals(desc)) {
        return m;
      }
    }
    return null;
  }

  /**
   * The class that stands for one call site: a field per captured value, a static {@code create}
   * taking the call site's arguments (one shared instance when it captures nothing, as the JDK
   * does), and the interface's method calling {@code target} with the conversions LambdaMetafactory
   * applies (casts, boxing, unboxing, primitive widening).
   */
  private static byte[] lambdaClass(
      ClassNode host, String name, InvokeDynamicInsnNode indy, Handle target) {
    Type factory = Type.getMethodType(indy.desc);
    Type[] captured = factory.getArgumentTypes();
    Type iface = factory.getReturnType();
    Type sam = (Type) indy.bsmArgs[0];
    Type instantiated = (Type) indy.bsmArgs[2];
    int version = Math.max(host.version & 0xFFFF, Opcodes.V1_8);
    ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    cw.visit(
        version,
        Opcodes.ACC_FINAL | Opcodes.ACC_SUPER | Opcodes.ACC_SYNTHETIC,
        name,
        null,
        "java/lang/Object",
        new String[] {iface.getInternalName()});
    String selfDesc = "L" + name + ";";
    for (int i = 0; i < captured.length; i++) {
      cw.visitField(
              Opcodes.ACC_PRIVATE | Opcodes.ACC_FINAL,
              "c" + i,
              captured[i].getDescriptor(),
              null,
              null)
          .visitEnd();
    }
    String ctorDesc = Type.getMethodDescriptor(Type.VOID_TYPE, captured);
    var ctor = cw.visitMethod(Opcodes.ACC_PRIVATE, "<init>", ctorDesc, null, null);
    ctor.visitCode();
    ctor.visitVarInsn(Opcodes.ALOAD, 0);
    ctor.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
    int slot = 1;
    for (int i = 0; i < captured.length; i++) {
      ctor.visitVarInsn(Opcodes.ALOAD, 0);
      ctor.visitVarInsn(captured[i].getOpcode(Opcodes.ILOAD), slot);
      ctor.visitFieldInsn(Opcodes.PUTFIELD, name, "c" + i, captured[i].getDescriptor());
      slot += captured[i].getSize();
    }
    ctor.visitInsn(Opcodes.RETURN);
    ctor.visitMaxs(0, 0);
    ctor.visitEnd();

    var create =
        cw.visitMethod(Opcodes.ACC_STATIC | Opcodes.ACC_SYNTHETIC, "create", indy.desc, null, null);
    create.visitCode();
    if (captured.length == 0) {
      cw.visitField(
              Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_FINAL,
              "INSTANCE",
              selfDesc,
              null,
              null)
          .visitEnd();
      var clinit = cw.visitMethod(Opcodes.ACC_STATIC, "<clinit>", "()V", null, null);
      clinit.visitCode();
      clinit.visitTypeInsn(Opcodes.NEW, name);
      clinit.visitInsn(Opcodes.DUP);
      clinit.visitMethodInsn(Opcodes.INVOKESPECIAL, name, "<init>", "()V", false);
      clinit.visitFieldInsn(Opcodes.PUTSTATIC, name, "INSTANCE", selfDesc);
      clinit.visitInsn(Opcodes.RETURN);
      clinit.visitMaxs(0, 0);
      clinit.visitEnd();
      create.visitFieldInsn(Opcodes.GETSTATIC, name, "INSTANCE", selfDesc);
    } else {
      create.visitTypeInsn(Opcodes.NEW, name);
      create.visitInsn(Opcodes.DUP);
      slot = 0;
      for (Type t : captured) {
        create.visitVarInsn(t.getOpcode(Opcodes.ILOAD), slot);
        slot += t.getSize();
      }
      create.visitMethodInsn(Opcodes.INVOKESPECIAL, name, "<init>", ctorDesc, false);
    }
    create.visitInsn(Opcodes.ARETURN);
    create.visitMaxs(0, 0);
    create.visitEnd();

    // The interface's method: captured values then the call's arguments, fitted to the target.
    var m = cw.visitMethod(Opcodes.ACC_PUBLIC, indy.name, sam.getDescriptor(), null, null);
    m.visitCode();
    Type targetType = Type.getMethodType(target.getDesc());
    List<Type> targetParams = new ArrayList<>();
    boolean hasReceiver =
        target.getTag() == Opcodes.H_INVOKEVIRTUAL
            || target.getTag() == Opcodes.H_INVOKEINTERFACE
            || target.getTag() == Opcodes.H_INVOKESPECIAL;
    if (hasReceiver) {
      targetParams.add(Type.getObjectType(target.getOwner()));
    }
    targetParams.addAll(List.of(targetType.getArgumentTypes()));
    if (target.getTag() == Opcodes.H_NEWINVOKESPECIAL) {
      m.visitTypeInsn(Opcodes.NEW, target.getOwner());
      m.visitInsn(Opcodes.DUP);
    }
    int p = 0;
    for (int i = 0; i < captured.length; i++, p++) {
      m.visitVarInsn(Opcodes.ALOAD, 0);
      m.visitFieldInsn(Opcodes.GETFIELD, name, "c" + i, captured[i].getDescriptor());
      fit(m, captured[i], captured[i], targetParams.get(p));
    }
    Type[] samArgs = sam.getArgumentTypes();
    Type[] instArgs = instantiated.getArgumentTypes();
    slot = 1;
    for (int i = 0; i < samArgs.length; i++, p++) {
      m.visitVarInsn(samArgs[i].getOpcode(Opcodes.ILOAD), slot);
      slot += samArgs[i].getSize();
      fit(m, samArgs[i], instArgs[i], targetParams.get(p));
    }
    Type result;
    switch (target.getTag()) {
      case Opcodes.H_INVOKESTATIC -> {
        m.visitMethodInsn(
            Opcodes.INVOKESTATIC,
            target.getOwner(),
            target.getName(),
            target.getDesc(),
            target.isInterface());
        result = targetType.getReturnType();
      }
      case Opcodes.H_INVOKEVIRTUAL -> {
        m.visitMethodInsn(
            Opcodes.INVOKEVIRTUAL, target.getOwner(), target.getName(), target.getDesc(), false);
        result = targetType.getReturnType();
      }
      case Opcodes.H_INVOKEINTERFACE -> {
        m.visitMethodInsn(
            Opcodes.INVOKEINTERFACE, target.getOwner(), target.getName(), target.getDesc(), true);
        result = targetType.getReturnType();
      }
      case Opcodes.H_NEWINVOKESPECIAL -> {
        m.visitMethodInsn(
            Opcodes.INVOKESPECIAL, target.getOwner(), "<init>", target.getDesc(), false);
        result = Type.getObjectType(target.getOwner());
      }
      default -> throw new IllegalStateException("not reachable: " + target);
    }
    Type samReturn = sam.getReturnType();
    if (samReturn.getSort() == Type.VOID) {
      if (result.getSize() > 0) {
        m.visitInsn(result.getSize() == 2 ? Opcodes.POP2 : Opcodes.POP);
      }
    } else {
      fit(m, result, instantiated.getReturnType(), samReturn);
    }
    m.visitInsn(samReturn.getOpcode(Opcodes.IRETURN));
    m.visitMaxs(0, 0);
    m.visitEnd();
    cw.visitEnd();
    return cw.toByteArray();
  }

  /**
   * Converts the value on the stack from {@code from} to {@code to} as LambdaMetafactory does;
   * {@code via} is the call site's instantiated type, which names the box to unbox from.
   */
  static void fit(org.objectweb.asm.MethodVisitor m, Type from, Type via, Type to) {
    boolean fromPrim = isPrimitive(from);
    boolean toPrim = isPrimitive(to);
    if (fromPrim && toPrim) {
      widen(m, from, to);
    } else if (fromPrim) {
      box(m, from);
      cast(m, boxOf(from), to);
    } else if (toPrim) {
      Type boxed = isBox(via) ? via : isBox(from) ? from : null;
      if (boxed == null) {
        // A reference of no box type (a generic result, Object): as the JDK's lambdas do, any
        // Number converts to a numeric primitive; char and boolean need their own box.
        unboxAny(m, to);
        return;
      }
      if (!boxed.equals(from)) {
        m.visitTypeInsn(Opcodes.CHECKCAST, boxed.getInternalName());
      }
      Type prim = primitiveOf(boxed);
      unbox(m, boxed, prim);
      widen(m, prim, to);
    } else {
      cast(m, from, to);
    }
  }

  private static void cast(org.objectweb.asm.MethodVisitor m, Type from, Type to) {
    if (!from.equals(to) && !to.getDescriptor().equals("Ljava/lang/Object;")) {
      m.visitTypeInsn(Opcodes.CHECKCAST, to.getInternalName());
    }
  }

  private static boolean isPrimitive(Type t) {
    return t.getSort() != Type.OBJECT && t.getSort() != Type.ARRAY;
  }

  private static final String[][] BOXES = {
    {"Z", "java/lang/Boolean", "booleanValue"},
    {"B", "java/lang/Byte", "byteValue"},
    {"C", "java/lang/Character", "charValue"},
    {"S", "java/lang/Short", "shortValue"},
    {"I", "java/lang/Integer", "intValue"},
    {"J", "java/lang/Long", "longValue"},
    {"F", "java/lang/Float", "floatValue"},
    {"D", "java/lang/Double", "doubleValue"},
  };

  private static boolean isBox(Type t) {
    for (String[] b : BOXES) {
      if (t.getSort() == Type.OBJECT && t.getInternalName().equals(b[1])) {
        return true;
      }
    }
    return false;
  }

  private static Type boxOf(Type prim) {
    for (String[] b : BOXES) {
      if (prim.getDescriptor().equals(b[0])) {
        return Type.getObjectType(b[1]);
      }
    }
    throw new IllegalArgumentException("not a primitive: " + prim);
  }

  private static Type primitiveOf(Type box) {
    for (String[] b : BOXES) {
      if (box.getInternalName().equals(b[1])) {
        return Type.getType(b[0]);
      }
    }
    throw new IllegalArgumentException("not a box: " + box);
  }

  private static void box(org.objectweb.asm.MethodVisitor m, Type prim) {
    Type boxed = boxOf(prim);
    m.visitMethodInsn(
        Opcodes.INVOKESTATIC,
        boxed.getInternalName(),
        "valueOf",
        Type.getMethodDescriptor(boxed, prim),
        false);
  }

  private static void unbox(org.objectweb.asm.MethodVisitor m, Type boxed, Type prim) {
    for (String[] b : BOXES) {
      if (b[1].equals(boxed.getInternalName())) {
        m.visitMethodInsn(Opcodes.INVOKEVIRTUAL, b[1], b[2], Type.getMethodDescriptor(prim), false);
        return;
      }
    }
  }

  private static void unboxAny(org.objectweb.asm.MethodVisitor m, Type to) {
    String owner =
        switch (to.getSort()) {
          case Type.CHAR -> "java/lang/Character";
          case Type.BOOLEAN -> "java/lang/Boolean";
          default -> "java/lang/Number";
        };
    String method =
        switch (to.getSort()) {
          case Type.CHAR -> "charValue";
          case Type.BOOLEAN -> "booleanValue";
          case Type.BYTE -> "byteValue";
          case Type.SHORT -> "shortValue";
          case Type.LONG -> "longValue";
          case Type.FLOAT -> "floatValue";
          case Type.DOUBLE -> "doubleValue";
          default -> "intValue";
        };
    m.visitTypeInsn(Opcodes.CHECKCAST, owner);
    m.visitMethodInsn(Opcodes.INVOKEVIRTUAL, owner, method, Type.getMethodDescriptor(to), false);
  }

  private static void widen(org.objectweb.asm.MethodVisitor m, Type from, Type to) {
    int f = from.getSort();
    int t = to.getSort();
    if (f == t) {
      return;
    }
    boolean fromInt =
        f == Type.INT || f == Type.SHORT || f == Type.CHAR || f == Type.BYTE || f == Type.BOOLEAN;
    if (fromInt) {
      switch (t) {
        case Type.LONG -> m.visitInsn(Opcodes.I2L);
        case Type.FLOAT -> m.visitInsn(Opcodes.I2F);
        case Type.DOUBLE -> m.visitInsn(Opcodes.I2D);
        default -> {} // int-like to int-like: the same on the stack
      }
    } else if (f == Type.LONG) {
      m.visitInsn(t == Type.FLOAT ? Opcodes.L2F : Opcodes.L2D);
    } else if (f == Type.FLOAT) {
      m.visitInsn(Opcodes.F2D);
    }
  }
}
