package dev.coi.core.internal;

import dev.coi.hostfs.HostDir;
import dev.coi.hostfs.HostTrees;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The file session store's tree work, all of it done by coi-hostfs: through directory handles,
 * never following a link (the agent may have left links anywhere, or swap a directory for one while
 * the tree is copied). Links are kept as links, never followed on the host; fifos, sockets and
 * devices are left out; copies keep permission bits and modification times and are forced to disk,
 * so that a save renamed into place after a copy survives a power cut.
 */
final class StateTrees {
  static final Set<PosixFilePermission> PRIVATE_DIRECTORY = HostDir.PRIVATE_DIRECTORY;
  static final Set<PosixFilePermission> PRIVATE_FILE = HostDir.PRIVATE_FILE;

  private StateTrees() {}

  static FileAttribute<Set<PosixFilePermission>> privateDirectory() {
    return PosixFilePermissions.asFileAttribute(PRIVATE_DIRECTORY);
  }

  /** Copies the tree {@code source} to {@code target}, which must not exist yet. */
  static void copy(Path source, Path target, HostTrees.CopyObserver observer) throws IOException {
    HostTrees.copy(source, target, observer);
  }

  /** Copies what {@code source} holds into the existing, empty directory {@code target}. */
  static void copyContents(Path source, Path target) throws IOException {
    HostTrees.copyContents(source, target);
  }

  /** Writes a new file, 0600 from its first byte, and forces it to disk. */
  static void writeNew(Path file, byte[] bytes) throws IOException {
    write(file, bytes, true);
  }

  /**
   * Writes a new file, 0600 from its first byte, without waiting for the disk: for small files a
   * crash may lose (an owner file, a ledger), on the path of every {@code coi run}.
   */
  static void writePrivate(Path file, byte[] bytes) throws IOException {
    write(file, bytes, false);
  }

  private static void write(Path file, byte[] bytes, boolean force) throws IOException {
    try (java.nio.channels.FileChannel out =
        java.nio.channels.FileChannel.open(
            file,
            Set.of(
                java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.LinkOption.NOFOLLOW_LINKS),
            PosixFilePermissions.asFileAttribute(PRIVATE_FILE))) {
      java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
      if (force) {
        out.force(true);
      }
    }
  }

  /** Forces a directory's entries to disk, so that a rename in it survives a power cut. */
  static void force(Path dir) {
    try (HostDir d = HostDir.open(dir)) {
      d.force();
    } catch (IOException e) {
      // Then the rename is merely less durable.
    }
  }

  /** Deletes a file, link or tree, never following links; nothing when it does not exist. */
  static void delete(Path path) throws IOException {
    HostTrees.delete(path);
  }

  /** Empties a directory, never following links out of it. */
  static void clear(Path dir) throws IOException {
    HostTrees.clear(dir);
  }
}
