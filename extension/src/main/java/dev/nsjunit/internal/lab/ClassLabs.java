package dev.nsjunit.internal.lab;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * The class-level labs of this JVM by their class, so that sandboxes started ahead of their tests
 * can join the lab those tests will use.
 *
 * <p>A class's lab has one owner at a time. Built for a sandbox started ahead, it is nobody's yet
 * and is closed here when no upcoming test needs it (its tests were filtered or disabled, the plan
 * ended). When the class's first test asks for it, the class adopts it ({@link Labs}: the class's
 * JUnit store then closes it when the class is done), exactly as if the test had built it. A lab
 * the class's first test builds itself is kept here the same way, so the sandboxes of its next
 * tests can be started ahead in it too. Whoever asks first builds and the other waits for it: a
 * class never has one lab for its tests and another for their sandboxes.
 *
 * <p>The same class run twice at once (two plans in one JVM) gets two labs: only one is here, and a
 * sandbox started ahead only serves a test of the lab it joined.
 */
public final class ClassLabs {
  private static final class Entry {
    final CompletableFuture<LabAccess> lab = new CompletableFuture<>();
    boolean adopted;
  }

  private static final Map<Class<?>, Entry> LABS = new HashMap<>();

  /** Told before a class's lab is closed, so that sandboxes waiting in it are ended first. */
  private static volatile Consumer<LabAccess> beforeClosing = lab -> {};

  private ClassLabs() {}

  /** Who ends the sandboxes started ahead in a lab before it closes. */
  public static void beforeClosing(Consumer<LabAccess> discardWaitingIn) {
    beforeClosing = discardWaitingIn;
  }

  /**
   * The class's lab for a sandbox started ahead: the one the class uses, or one built now that the
   * class's first test will adopt. Throws what building it threw; a test of the class then builds
   * its own and reports the same problem.
   */
  static LabAccess forSandboxStartedAhead(Class<?> owner, Builder builder) {
    return get(owner, builder, false);
  }

  /**
   * The lab for the class's tests, now the class's to close: the one built ahead for it (waiting
   * while it is being built), or one built now that later sandboxes can be started ahead in. The
   * same class run twice at once: the second run builds a lab of its own, not kept here.
   */
  static LabAccess forClass(Class<?> owner, Builder builder) {
    return get(owner, builder, true);
  }

  private static LabAccess get(Class<?> owner, Builder builder, boolean adopt) {
    while (true) {
      Entry entry;
      boolean build = false;
      synchronized (LABS) {
        entry = LABS.get(owner);
        if (entry == null) {
          entry = new Entry();
          entry.adopted = adopt;
          LABS.put(owner, entry);
          build = true;
        } else if (adopt && entry.adopted) {
          entry = null; // another run of the class has this one
        } else if (adopt) {
          entry.adopted = true;
        }
      }
      if (entry == null) {
        return builder.build();
      }
      if (build) {
        try {
          entry.lab.complete(builder.build());
        } catch (RuntimeException | Error e) {
          synchronized (LABS) {
            LABS.remove(owner, entry);
          }
          entry.lab.completeExceptionally(e);
          throw e;
        }
      }
      try {
        return entry.lab.join();
      } catch (CompletionException e) {
        if (!adopt) {
          throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        // Building it ahead failed: the class builds its own and reports why it could not.
      }
    }
  }

  /** The class is done with its lab: what waits in it ends, then the lab. */
  static void close(Class<?> owner, LabAccess lab) {
    synchronized (LABS) {
      Entry entry = LABS.get(owner);
      if (entry != null && entry.lab.getNow(null) == lab) {
        LABS.remove(owner);
      }
    }
    closeWithWhatWaits(lab);
  }

  /**
   * Closes the labs built ahead that no class adopted and whose class is not in {@code needed} (the
   * classes of the tests that still come).
   */
  public static void closeUnadoptedExcept(Set<Class<?>> needed) {
    List<LabAccess> unneeded = new ArrayList<>();
    synchronized (LABS) {
      Iterator<Map.Entry<Class<?>, Entry>> it = LABS.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<Class<?>, Entry> e = it.next();
        LabAccess lab = e.getValue().lab.getNow(null);
        if (!e.getValue().adopted && lab != null && !needed.contains(e.getKey())) {
          it.remove();
          unneeded.add(lab);
        }
      }
    }
    unneeded.forEach(ClassLabs::closeWithWhatWaits);
  }

  private static void closeWithWhatWaits(LabAccess lab) {
    try {
      beforeClosing.accept(lab);
    } finally {
      lab.close();
    }
  }

  /** Builds a class's lab. */
  interface Builder {
    LabAccess build();
  }
}
