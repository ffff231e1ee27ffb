package dev.coi.core.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Copies and removes the agent's state trees for the file session store. Symbolic links are copied
 * as links and never followed, so nothing outside a tree is read, written or deleted through one;
 * files keep their permission bits and modification times; fifos, sockets and devices are left out.
 * Copied files and directories are forced to disk, so that a save renamed into place after a copy
 * survives a power cut.
 */
final class StateTrees {
  private static final System.Logger LOG = System.getLogger(StateTrees.class.getName());

  static final Set<PosixFilePermission> PRIVATE_DIRECTORY =
      PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");

  /** Told of each regular file once it is copied; a seam for tests that stop a copy midway. */
  interface CopyObserver {
    CopyObserver NONE = relative -> {};

    void copied(Path relative) throws IOException;
  }

  private StateTrees() {}

  static FileAttribute<Set<PosixFilePermission>> privateDirectory() {
    return PosixFilePermissions.asFileAttribute(PRIVATE_DIRECTORY);
  }

  /** Copies the tree {@code source} to {@code target}, which must not exist yet. */
  static void copy(Path source, Path target, CopyObserver observer) throws IOException {
    Files.createDirectory(target, privateDirectory());
    copyInto(source, target, observer);
    // The root's own mode last: a read-only source directory would refuse the copy's children.
    Files.setPosixFilePermissions(
        target, Files.getPosixFilePermissions(source, LinkOption.NOFOLLOW_LINKS));
    force(target);
  }

  /** Copies what {@code source} holds into the existing, empty directory {@code target}. */
  static void copyContents(Path source, Path target) throws IOException {
    copyInto(source, target, CopyObserver.NONE);
  }

  /**
   * Copies through directory handles ({@code openat} with {@code O_NOFOLLOW}), never by path: the
   * tree may belong to a running agent, which could swap a directory for a link to the host's files
   * between a look and an open. Such a swap makes the copy fail instead.
   */
  private static void copyInto(Path source, Path target, CopyObserver observer) throws IOException {
    try (DirectoryStream<Path> root = Files.newDirectoryStream(source)) {
      if (!(root instanceof SecureDirectoryStream)) {
        throw new IOException("cannot copy " + source + " safely: the platform lacks openat");
      }
      copyEntries((SecureDirectoryStream<Path>) root, target, Path.of(""), observer);
    }
  }

  private static void copyEntries(
      SecureDirectoryStream<Path> dir, Path target, Path relative, CopyObserver observer)
      throws IOException {
    for (Path entry : dir) {
      Path name = entry.getFileName();
      PosixFileAttributes attrs =
          dir.getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
              .readAttributes();
      Path path = relative.resolve(name.toString());
      Path to = target.resolve(path.toString());
      if (attrs.isDirectory()) {
        Files.createDirectory(to, privateDirectory());
        try (SecureDirectoryStream<Path> child =
            dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
          copyEntries(child, target, path, observer);
        }
        // The mode last: a read-only directory would refuse the copy's children.
        Files.setPosixFilePermissions(to, attrs.permissions());
        Files.setLastModifiedTime(to, attrs.lastModifiedTime());
        force(to);
      } else if (attrs.isSymbolicLink()) {
        // Reading a link by path is safe: at worst another link's text is copied, never a file.
        Files.createSymbolicLink(to, Files.readSymbolicLink(entry));
      } else if (attrs.isRegularFile()) {
        try (SeekableByteChannel in =
            dir.newByteChannel(name, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
          copyFile(in, to, attrs);
        }
        observer.copied(path);
      } else {
        LOG.log(System.Logger.Level.DEBUG, "not copying {0}: not a file", entry);
      }
    }
  }

  private static void copyFile(SeekableByteChannel in, Path to, PosixFileAttributes attrs)
      throws IOException {
    try (FileChannel out =
        FileChannel.open(
            to,
            Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(PRIVATE_FILE))) {
      // Up to the size seen: a file the agent is still writing is copied as it was then.
      long size = attrs.size();
      long done = 0;
      while (done < size) {
        long n = out.transferFrom(in, done, size - done);
        if (n <= 0) {
          break; // shrunk while being copied
        }
        done += n;
      }
      out.force(true);
    }
    Files.setPosixFilePermissions(to, attrs.permissions());
    Files.setLastModifiedTime(to, attrs.lastModifiedTime());
  }

  /** Writes a new file and forces it to disk. */
  static void writeNew(Path file, byte[] bytes) throws IOException {
    try (FileChannel out =
        FileChannel.open(
            file,
            Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(PRIVATE_FILE))) {
      java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
      out.force(true);
    }
  }

  /**
   * Forces a directory's entries to disk, so that a rename in it survives a power cut; where the
   * platform cannot open a directory, the rename is merely less durable.
   */
  static void force(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.log(System.Logger.Level.TRACE, "cannot force directory {0} to disk: {1}", dir, e);
    }
  }

  /** Deletes a file, link or tree, never following links; nothing when it does not exist. */
  static void delete(Path path) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        path,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            // Saved trees keep their modes: a read-only directory must open up to be emptied.
            Set<PosixFilePermission> mode =
                EnumSet.copyOf(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS));
            if (mode.addAll(
                EnumSet.of(
                    PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE))) {
              Files.setPosixFilePermissions(dir, mode);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /** Empties a directory, never following links out of it. */
  static void clear(Path dir) throws IOException {
    List<Path> entries;
    try (Stream<Path> list = Files.list(dir)) {
      entries = list.collect(Collectors.toList());
    }
    for (Path entry : entries) {
      delete(entry);
    }
  }
}
