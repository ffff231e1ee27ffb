package dev.coi.core.internal;

import dev.coi.api.CoiException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per saved session id, held while a save, restore or delete of that id runs. Across
 * processes it is a {@link FileChannel#lock()} on {@code <sessions_dir>/.locks/<id>.lock}; as such
 * locks belong to the whole JVM (a second one on the same file throws instead of waiting), threads
 * of this JVM first take a {@link ReentrantLock} of that file, shared by every store instance.
 *
 * <p>Lock files are never deleted: a process may be waiting on the one it opened, and a new file of
 * the same name would let a third process in beside it.
 */
final class SessionLocks {
  private static final ConcurrentMap<Path, ReentrantLock> IN_THIS_JVM = new ConcurrentHashMap<>();

  private final Path directory;

  SessionLocks(Path sessionsDir) {
    this.directory = sessionsDir.resolve(".locks").toAbsolutePath().normalize();
  }

  /** Waits for the lock of an id. */
  Held lock(String id) throws IOException {
    Path file = directory.resolve(id + ".lock");
    ReentrantLock local = IN_THIS_JVM.computeIfAbsent(file, f -> new ReentrantLock());
    local.lock();
    FileChannel channel = null;
    try {
      channel = open(file);
      channel.lock();
      return new Held(local, channel);
    } catch (IOException | RuntimeException e) {
      release(local, channel);
      if (e instanceof java.nio.channels.FileLockInterruptionException) {
        Thread.currentThread().interrupt();
        throw new CoiException("interrupted while waiting for the lock of saved session " + id, e);
      }
      throw e;
    }
  }

  /** The lock of an id if nobody, in any process, holds it now. */
  Optional<Held> tryLock(String id) throws IOException {
    Path file = directory.resolve(id + ".lock");
    ReentrantLock local = IN_THIS_JVM.computeIfAbsent(file, f -> new ReentrantLock());
    if (local.isHeldByCurrentThread() || !local.tryLock()) {
      return Optional.empty();
    }
    FileChannel channel = null;
    try {
      channel = open(file);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        release(local, channel);
        return Optional.empty();
      }
      return Optional.of(new Held(local, channel));
    } catch (OverlappingFileLockException e) {
      release(local, channel);
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      release(local, channel);
      throw e;
    }
  }

  private FileChannel open(Path file) throws IOException {
    Files.createDirectories(directory, StateTrees.privateDirectory());
    return FileChannel.open(
        file,
        Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
        PosixFilePermissions.asFileAttribute(StateTrees.PRIVATE_FILE));
  }

  private static void release(ReentrantLock local, FileChannel channel) {
    try {
      if (channel != null) {
        channel.close(); // releases the file lock too
      }
    } catch (IOException ignored) {
      // Closing a lock file we only locked loses nothing.
    } finally {
      local.unlock();
    }
  }

  /** A held lock; closing it lets the next waiter in. */
  static final class Held implements AutoCloseable {
    private final ReentrantLock local;
    private final FileChannel channel;

    private Held(ReentrantLock local, FileChannel channel) {
      this.local = local;
      this.channel = channel;
    }

    @Override
    public void close() {
      release(local, channel);
    }
  }
}
