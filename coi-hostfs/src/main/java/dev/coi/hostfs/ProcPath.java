package dev.coi.hostfs;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * An open directory as a path through {@code /proc/self/fd}, for what {@link SecureDirectoryStream}
 * lacks ({@code mkdirat}, {@code symlinkat}, {@code readlinkat}, {@code lchown}): the kernel
 * resolves that first part to the open directory itself, so a name below it is looked up in that
 * very directory, whatever its path has become.
 */
final class ProcPath {
  private static final Set<PosixFilePermission> OWNER_ALL =
      EnumSet.of(
          PosixFilePermission.OWNER_READ,
          PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_EXECUTE);

  private final SecureDirectoryStream<Path> dir;
  private final Path path;
  private Path proc;

  ProcPath(SecureDirectoryStream<Path> dir, Path path) {
    this.dir = dir;
    this.path = path;
  }

  /** The entry {@code name} of the directory, through its descriptor. */
  Path entry(Path name) throws IOException {
    return get().resolve(name.toString());
  }

  /**
   * This directory as a path through {@code /proc/self/fd}: the kernel resolves that component to
   * the open directory itself, so a name below it is looked up in this very directory. Used for
   * what {@link SecureDirectoryStream} lacks (mkdirat, symlinkat, readlinkat, lchown). The
   * descriptor is found by its device and inode, and checked again on every use.
   */
  Path get() throws IOException {
    Object key = dir.getFileAttributeView(BasicFileAttributeView.class).readAttributes().fileKey();
    if (proc != null && key.equals(keyOf(proc))) {
      return proc;
    }
    proc = null;
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
      for (Path fd : fds) {
        if (key.equals(keyOf(fd))) {
          proc = fd;
          return fd;
        }
      }
    }
    throw new IOException("cannot find the open directory " + path + " in /proc/self/fd");
  }

  private static Object keyOf(Path fd) {
    try {
      return Files.readAttributes(fd, BasicFileAttributes.class).fileKey();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * A directory this process owns but cannot open ({@code chmod 000}, not root) is opened up to
   * 0700. The JDK can change a mode only by opening the file or by a path that follows a final
   * link, so the path goes through this directory's handle and the entry is checked to be the same
   * directory before and after; a swap in between is reported, not followed further.
   */
  void unlock(Path n) throws IOException {
    String name = n.toString();
    BasicFileAttributes before =
        dir.getFileAttributeView(n, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
            .readAttributes();
    if (!before.isDirectory()) {
      throw new AccessDeniedException(path.resolve(name).toString());
    }
    Set<PosixFilePermission> mode =
        EnumSet.copyOf(
            dir.getFileAttributeView(n, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .readAttributes()
                .permissions());
    mode.addAll(OWNER_ALL);
    Files.setPosixFilePermissions(entry(n), mode);
    BasicFileAttributes after =
        dir.getFileAttributeView(n, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
            .readAttributes();
    if (!after.isDirectory() || !before.fileKey().equals(after.fileKey())) {
      throw new FileSystemException(
          path.resolve(name).toString(), null, "changed while it was being opened up");
    }
  }

  /** lchown: no open (so no fifo to block on), and a link's target is never touched. */
  static void owner(Path path, int uid, int gid) throws IOException {
    // lchown: no open (so no fifo to block on), and a link's target is never touched.
    Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
  }
}
