package dev.nsjunit.internal.run;

import dev.nsjunit.internal.cleanup.JvmExit;
import dev.nsjunit.internal.limits.cgroup.CgroupNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The private directory of one test JVM: the extracted launcher, channel sockets, status files.
 *
 * <p>Layout: {@code <tmp>/nsjunit-<uid>/} (0700, owned by the user, checked) holding one {@code
 * run-<pid>-<start millis>/} (0700) per JVM. The directory is removed at JVM exit; a JVM killed
 * with SIGKILL cannot do that, so every JVM first sweeps the run directories whose owner (same pid
 * and start time) is gone.
 */
public final class RunDirectory {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rwx------");

  /** Unix socket paths are limited to 108 bytes; keep room for the file names below. */
  private static final int MAX_BASE_LENGTH = 70;

  private static RunDirectory instance;

  private final Path path;
  private final AtomicInteger ids = new AtomicInteger();

  private RunDirectory(Path path) {
    this.path = path;
  }

  /** The run directory of this JVM, created (after a sweep) on first use. */
  public static synchronized RunDirectory get() {
    if (instance == null) {
      instance = create();
    }
    return instance;
  }

  public Path path() {
    return path;
  }

  /** A fresh number for a sandbox of this JVM, used in file names. */
  public int nextId() {
    return ids.incrementAndGet();
  }

  public Path file(String name) {
    return path.resolve(name);
  }

  private static RunDirectory create() {
    try {
      Path base = userDirectory();
      sweep(base);
      ProcessHandle self = ProcessHandle.current();
      long start = self.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
      Path run = base.resolve("run-" + self.pid() + "-" + start);
      try {
        createPrivate(run);
      } catch (java.nio.file.NoSuchFileException raced) {
        // Another JVM's exit removed the (then empty) user directory in between: make it again.
        userDirectory();
        createPrivate(run);
      }
      JvmExit.JVM.at(
          JvmExit.Stage.RUN_DIRECTORY,
          () -> {
            deleteTree(run);
            try {
              Files.deleteIfExists(base); // only succeeds when no other JVM of this user uses it
            } catch (IOException inUse) {
              // another run directory is still there
            }
          });
      return new RunDirectory(run);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "nsjunit: cannot create its private directory: " + e.getMessage(), e);
    }
  }

  private static Path userDirectory() throws IOException {
    int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    Path tmp = Path.of(System.getProperty("java.io.tmpdir", "/tmp")).toAbsolutePath();
    if (tmp.toString().length() > MAX_BASE_LENGTH) {
      tmp = Path.of("/tmp"); // socket paths must stay short
    }
    Path base = tmp.resolve("nsjunit-" + uid);
    try {
      createPrivate(base);
    } catch (FileAlreadyExistsException exists) {
      // Someone (normally an earlier run of ours) made it: use it only if it is really ours.
      if (!Files.isDirectory(base, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException(base + " exists and is not a directory: remove it");
      }
      int owner = (Integer) Files.getAttribute(base, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      Set<PosixFilePermission> mode =
          Files.getPosixFilePermissions(base, LinkOption.NOFOLLOW_LINKS);
      if (owner != uid || !mode.equals(OWNER_ONLY)) {
        throw new IOException(
            base
                + " is owned by uid "
                + owner
                + " with mode "
                + PosixFilePermissions.toString(mode)
                + "; nsjunit needs it private (uid "
                + uid
                + ", rwx------): remove it, or point java.io.tmpdir elsewhere");
      }
    }
    return base;
  }

  private static void createPrivate(Path dir) throws IOException {
    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    Files.setPosixFilePermissions(dir, OWNER_ONLY); // in case the umask took bits away
  }

  /** Removes run directories whose JVM (pid and start time) no longer exists. */
  static int sweep(Path base) {
    int removed = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(base, "run-*")) {
      for (Path entry : entries) {
        if (!ownerAlive(entry.getFileName().toString())) {
          deleteTree(entry);
          removed++;
        }
      }
    } catch (IOException | java.nio.file.DirectoryIteratorException e) {
      // A sweep is housekeeping: it must never fail the test that happens to run it.
    }
    return removed;
  }

  /**
   * Whether the process named by "run-<pid>-<start millis>" (or "prefix-<pid>-<start>") lives,
   * judged as cgroup owners are ({@link CgroupNames#processAlive}: the same start-time tolerance).
   */
  public static boolean ownerAlive(String name) {
    String[] parts = name.split("-");
    if (parts.length < 3) {
      return true; // not ours to judge
    }
    try {
      return CgroupNames.processAlive(
          Long.parseLong(parts[parts.length - 2]), Long.parseLong(parts[parts.length - 1]));
    } catch (NumberFormatException e) {
      return true;
    }
  }

  static void deleteTree(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException ignored) {
                  // best effort; the next run's sweep retries
                }
              });
    } catch (IOException | java.io.UncheckedIOException ignored) {
      // already gone, or changing while we walk it (another process sweeping): the next sweep
      // retries
    }
  }
}
