package dev.coi.core.internal;

import dev.coi.api.CoiException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The slots of one workspace that sessions are creating right now, shared by every coi process of a
 * user: {@code <sessions_dir>/.locks/<workspace-hash>.slots} lists, one a line, the container name,
 * a token, and the process (host, pid, start time) that reserved it. It is read and written only
 * under {@code <workspace-hash>.lock}, locked with {@link FileChannel#lock()} across processes and
 * with a {@link ReentrantLock} inside this JVM (a JVM holds file locks as a whole, so its threads
 * would not exclude each other through them). Lines of dead processes are ignored and dropped.
 *
 * <p>A token is a random UUID, and a release drops only the line with both its token and this
 * process: a counter per JVM gave two processes the same tokens, and one's release dropped the
 * other's reservation.
 */
final class SlotReservations {
  /** One lock per lock file in this JVM, shared by all engines. */
  private static final ConcurrentMap<Path, ReentrantLock> IN_THIS_JVM = new ConcurrentHashMap<>();

  private static final System.Logger LOG = System.getLogger(SlotReservations.class.getName());

  private final Path lockFile;
  private final Path ledgerFile;

  SlotReservations(Path sessionsDir, Path workspace) {
    this.lockFile = lockFile(sessionsDir, workspace);
    this.ledgerFile = lockFile.resolveSibling(ContainerNames.workspaceHash(workspace) + ".slots");
  }

  /** The lock of a workspace's slots: {@code <sessions_dir>/.locks/<workspace-hash>.lock}. */
  static Path lockFile(Path sessionsDir, Path workspace) {
    return sessionsDir
        .toAbsolutePath()
        .normalize()
        .resolve(".locks")
        .resolve(ContainerNames.workspaceHash(workspace) + ".lock");
  }

  /** The reservations of a workspace's slots, beside its lock file. */
  Path ledgerFile() {
    return ledgerFile;
  }

  /**
   * Runs {@code body} holding the workspace's lock, with the reservations of live processes;
   * reservations it adds are written before the lock is released.
   */
  <T> T whileLocked(Function<Ledger, T> body) {
    ReentrantLock inJvm = IN_THIS_JVM.computeIfAbsent(lockFile, f -> new ReentrantLock());
    inJvm.lock();
    try {
      // Private from the start: 0700 directories, a 0600 lock file, never widened afterwards.
      Files.createDirectories(lockFile.getParent(), StateTrees.privateDirectory());
      try (FileChannel channel =
              FileChannel.open(
                  lockFile,
                  java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                  java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                      StateTrees.PRIVATE_FILE));
          FileLock held = channel.lock()) {
        List<String> all = read();
        Ledger ledger = new Ledger(all.stream().filter(SlotReservations::live).collect(toList()));
        ledger.changed = ledger.lines.size() != all.size();
        T result = body.apply(ledger);
        if (ledger.changed) {
          write(ledger.lines);
        }
        return result;
      }
    } catch (IOException e) {
      throw new CoiException(
          "cannot lock the slots of a workspace at "
              + lockFile
              + ": "
              + e.getMessage()
              + " (check paths.sessions_dir)",
          e);
    } finally {
      inJvm.unlock();
    }
  }

  private List<String> read() throws IOException {
    if (!Files.exists(ledgerFile)) {
      return List.of();
    }
    return Files.readAllLines(ledgerFile, StandardCharsets.UTF_8);
  }

  private static java.util.stream.Collector<String, ?, List<String>> toList() {
    return Collectors.toCollection(ArrayList::new);
  }

  /** A well-formed line of a process that is (or may be) alive; others are dropped. */
  private static boolean live(String line) {
    String[] parts = line.split(" ", 3);
    return parts.length == 3 && parts[2].split(" ", -1).length == 3 && Owners.alive(parts[2]);
  }

  /** Replaces the file whole, so that a process killed while writing leaves no half line. */
  private void write(List<String> lines) throws IOException {
    Path next = ledgerFile.resolveSibling(ledgerFile.getFileName() + ".next");
    Files.deleteIfExists(next); // left by a killed process: created anew, 0600 from its first byte
    StateTrees.writePrivate(
        next,
        String.join("\n", lines)
            .concat(lines.isEmpty() ? "" : "\n")
            .getBytes(StandardCharsets.UTF_8));
    Files.move(
        next, ledgerFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The reservations as seen under the lock. */
  final class Ledger {
    private final List<String> lines;
    private boolean changed;

    private Ledger(List<String> lines) {
      this.lines = lines;
    }

    /** The container names reserved by live processes (this one included). */
    Set<String> names() {
      return lines.stream().map(l -> l.split(" ", 2)[0]).collect(Collectors.toSet());
    }

    /** Reserves a container name for this process until the reservation is closed. */
    Reservation add(String name) {
      String line = name + " " + UUID.randomUUID() + " " + Owners.describeThisProcess().strip();
      lines.add(line);
      changed = true;
      return new Reservation(name, line);
    }

    /** Drops exactly the line {@link #add} wrote: its name, token and process. */
    private void remove(String line) {
      changed |= lines.removeIf(line::equals);
    }
  }

  /** A reserved container name; closing it drops the reservation. */
  final class Reservation implements AutoCloseable {
    private final String name;
    private final String line;

    private Reservation(String name, String line) {
      this.name = name;
      this.line = line;
    }

    String name() {
      return name;
    }

    /**
     * Drops the reservation. A failure is only logged: the container is made by then, and a line
     * left behind keeps its slot reserved only until this process ends.
     */
    @Override
    public void close() {
      try {
        whileLocked(
            ledger -> {
              ledger.remove(line);
              return null;
            });
      } catch (CoiException e) {
        LOG.log(System.Logger.Level.WARNING, "cannot drop the reservation of " + name, e);
      }
    }
  }
}
