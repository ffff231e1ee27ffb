package dev.coi.hostfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;

/**
 * Whole-tree work on host directories an untrusted container can write: copy, delete, chown and
 * walk, each through {@link HostDir} handles. Symbolic links are copied as links (their text, never
 * what they lead to) and never followed; fifos, sockets and devices are skipped unopened. A
 * directory swapped for a link while a tree is walked makes the operation fail or skip it; it never
 * reaches the link's target.
 *
 * <pre>{@code
 * HostTrees.copy(liveStateDir, staging.resolve("claude"), CopyObserver.NONE); // a save
 * HostTrees.delete(liveStateDir.getParent());                                  // afterwards
 * }</pre>
 */
public final class HostTrees {
  private static final int BLOCK = 64 * 1024;
  private static final ByteBuffer ZEROS = ByteBuffer.allocate(BLOCK).asReadOnlyBuffer();

  /** Told of each regular file once it is copied; a seam for tests that stop a copy midway. */
  public interface CopyObserver {
    CopyObserver NONE = relative -> {};

    void copied(Path relative) throws IOException;
  }

  /** Told of each entry of a walk, parents before their children. */
  public interface Visitor {
    void visit(HostDir parent, Entry entry, Path relative) throws IOException;
  }

  private HostTrees() {}

  /**
   * Copies the tree {@code source} to {@code target}, which must not exist yet (its parent is
   * trusted: the caller's own). Created entries are 0700 and 0600 from the start and given their
   * source's permission bits once filled (so the copy is never readable by others while it is
   * written; keep it under a 0700 directory); files keep their modification times, are copied in
   * blocks (sparse files stay sparse, memory stays flat) and forced to disk.
   */
  public static void copy(Path source, Path target, CopyObserver observer) throws IOException {
    Path parent = target.toAbsolutePath().getParent();
    try (HostDir from = HostDir.open(source);
        HostDir to = HostDir.open(parent);
        HostDir root =
            to.createDirectory(target.getFileName().toString(), HostDir.PRIVATE_DIRECTORY)) {
      copyEntries(from, root, Path.of(""), observer);
      // The root's own mode last: a read-only source directory would refuse the copy's children.
      root.setPermissions(from.stat().permissions());
      root.force();
      to.force();
    }
  }

  /** Copies what {@code source} holds into the existing directory {@code target}. */
  public static void copyContents(Path source, Path target) throws IOException {
    try (HostDir from = HostDir.open(source);
        HostDir to = HostDir.open(target)) {
      copyEntries(from, to, Path.of(""), CopyObserver.NONE);
    }
  }

  /** Copies the entries of one open directory into another, depth first. */
  public static void copyEntries(HostDir from, HostDir to, Path relative, CopyObserver observer)
      throws IOException {
    for (Entry entry : from.list()) {
      String name = entry.name();
      Path path = relative.resolve(name);
      switch (entry.type()) {
        case DIRECTORY:
          try (HostDir child = from.directory(name);
              HostDir copy = to.createDirectory(name, HostDir.PRIVATE_DIRECTORY)) {
            copyEntries(child, copy, path, observer);
            // The mode last: a read-only directory would refuse the copy's children.
            copy.setPermissions(entry.permissions());
            copy.setModified(entry.modified());
            copy.force();
          }
          break;
        case SYMLINK:
          to.symlink(name, from.readLink(name));
          break;
        case FILE:
          copyFile(from, to, entry);
          observer.copied(path);
          break;
        default:
          // fifos, sockets, devices: never opened, never copied
      }
    }
  }

  private static void copyFile(HostDir from, HostDir to, Entry entry) throws IOException {
    String name = entry.name();
    try (SeekableByteChannel in = from.openFile(name);
        SeekableByteChannel out = to.createFile(name, HostDir.PRIVATE_FILE)) {
      // Up to the size seen: a file the agent is still writing is copied as it was then.
      copyBytes(in, out, entry.size());
      if (out instanceof java.nio.channels.FileChannel) {
        ((java.nio.channels.FileChannel) out).force(true);
      }
    }
    to.setPermissions(name, entry.permissions());
    to.setModified(name, entry.modified());
  }

  /**
   * Copies {@code size} bytes in blocks; a block of zeros is skipped rather than written, so a
   * sparse file stays sparse, and the end is written so that the copy has the full length.
   */
  static void copyBytes(SeekableByteChannel in, SeekableByteChannel out, long size)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.allocateDirect(BLOCK);
    long done = 0;
    boolean holeAtEnd = false;
    while (done < size) {
      buffer.clear();
      buffer.limit((int) Math.min(BLOCK, size - done));
      int n = in.read(buffer);
      if (n <= 0) {
        break; // shrunk while being copied
      }
      buffer.flip();
      if (buffer.remaining() == BLOCK && buffer.equals(ZEROS)) {
        holeAtEnd = true;
      } else {
        out.position(done);
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
        holeAtEnd = false;
      }
      done += n;
    }
    if (holeAtEnd) {
      out.position(done - 1);
      out.write(ByteBuffer.allocate(1));
    }
  }

  /**
   * Deletes a file, link or tree, never following links, opening up directories made unreadable;
   * nothing when it does not exist. The parent of {@code path} is trusted.
   */
  public static void delete(Path path) throws IOException {
    Path absolute = path.toAbsolutePath();
    try (HostDir parent = HostDir.open(absolute.getParent())) {
      parent.delete(absolute.getFileName().toString());
    } catch (java.nio.file.NoSuchFileException parentGone) {
      // nothing to delete
    }
  }

  /** Deletes everything in the directory {@code dir}, never following links out of it. */
  public static void clear(Path dir) throws IOException {
    try (HostDir d = HostDir.open(dir)) {
      d.clear();
    }
  }

  /** Gives {@code dir} and everything in it (links themselves, not their targets) to uid:gid. */
  public static void chown(Path dir, int uid, int gid) throws IOException {
    try (HostDir root = HostDir.open(dir)) {
      root.chown(uid, gid);
      walk(root, Path.of(""), (parent, entry, relative) -> parent.chown(entry.name(), uid, gid));
    }
  }

  /** Visits every entry under {@code dir}, parents first; never enters a link. */
  public static void walk(Path dir, Visitor visitor) throws IOException {
    try (HostDir root = HostDir.open(dir)) {
      walk(root, Path.of(""), visitor);
    }
  }

  private static void walk(HostDir dir, Path relative, Visitor visitor) throws IOException {
    for (Entry entry : dir.list()) {
      Path path = relative.resolve(entry.name());
      visitor.visit(dir, entry, path);
      if (entry.isDirectory()) {
        try (HostDir child = dir.directory(entry.name())) {
          walk(child, path, visitor);
        }
      }
    }
  }
}
