package dev.coi.incus.backend;

import dev.coi.api.CoiException;
import dev.coi.api.ConflictException;
import dev.coi.api.NotFoundException;
import dev.coi.incus.FileContent;
import dev.coi.incus.FileInfo;
import dev.coi.incus.InstanceFiles;
import dev.coi.incus.PushPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The backend's file operations over the client's {@link InstanceFiles}: what the SPI promises
 * beyond it (a single file as a tree, missing parents made, a host target that must not exist yet).
 */
final class ContainerFiles {
  /** Parents {@link #pushTree} has to make get the usual directory mode. */
  private static final int PARENT_MODE = 0755;

  private final InstanceFiles files;

  ContainerFiles(InstanceFiles files) {
    this.files = files;
  }

  /** A file's content, following a symlink; empty for a missing path or a directory. */
  Optional<byte[]> pullFile(String container, String path) {
    Optional<FileContent> pulled = pull(container, path);
    if (pulled.isPresent() && pulled.get().info().isSymlink()) {
      pulled = pull(container, pulled.get().text());
    }
    return pulled.filter(p -> p.info().isFile()).map(FileContent::content);
  }

  private Optional<FileContent> pull(String container, String path) {
    try {
      return Optional.of(files.pull(container, path));
    } catch (NotFoundException e) {
      // The same 404 may mean the container is missing: that stays an error.
      files.find(container, "/");
      return Optional.empty();
    }
  }

  void pushTree(String container, Path source, String target, int uid, int gid) {
    String to = trimmed(target);
    Path real;
    try {
      real = source.toRealPath();
    } catch (IOException e) {
      throw new CoiException(
          "cannot push " + source + " to " + container + ": " + e.getMessage() + " on the host", e);
    }
    ensureDirectory(container, parent(to), uid, gid);
    if (Files.isDirectory(real)) {
      files.pushTree(container, real, to, PushPolicy.owner(uid, gid));
    } else if (Files.isRegularFile(real)) {
      files.push(container, to, real, uid, gid, mode(real));
    } else {
      throw new CoiException(
          "cannot push " + source + " to " + container + ": neither a file nor a directory");
    }
  }

  /** Makes {@code dir} and its missing parents, owned by {@code uid:gid}. */
  private void ensureDirectory(String container, String dir, int uid, int gid) {
    if (dir.equals("/")) {
      return;
    }
    Optional<FileInfo> there = files.find(container, dir);
    if (there.isPresent()) {
      if (!there.get().isDirectory()) {
        throw new ConflictException(
            "cannot push into " + dir + " in " + container + ": it is not a directory");
      }
      return;
    }
    ensureDirectory(container, parent(dir), uid, gid);
    files.mkdir(container, dir, uid, gid, PARENT_MODE);
  }

  void pullTree(String container, String source, Path target) {
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new ConflictException(
          "cannot pull "
              + source
              + " from "
              + container
              + " to "
              + target
              + ": it exists already; pull to a path that does not exist yet");
    }
    FileContent top = files.pull(container, source);
    FileInfo info = top.info().isSymlink() ? files.stat(container, top.text()) : top.info();
    if (info.isDirectory()) {
      files.pullTree(container, source, target);
      return;
    }
    byte[] content =
        top.info().isSymlink() ? files.pull(container, top.text()).content() : top.content();
    try {
      Path parent = target.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.write(target, content);
      setMode(target, info);
    } catch (IOException e) {
      throw new CoiException(
          "cannot pull " + source + " from " + container + " to " + target + ": " + e, e);
    }
  }

  private static String trimmed(String path) {
    String t = path.length() > 1 ? path.replaceAll("/+$", "") : path;
    if (!t.startsWith("/")) {
      throw new IllegalArgumentException("a path in a container must be absolute, not " + path);
    }
    return t.isEmpty() ? "/" : t;
  }

  private static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash <= 0 ? "/" : path.substring(0, slash);
  }

  private static int mode(Path file) {
    try {
      return FileInfo.modeOf(Files.getPosixFilePermissions(file));
    } catch (UnsupportedOperationException notPosix) {
      return 0644;
    } catch (IOException e) {
      throw new CoiException("cannot read the permissions of " + file + ": " + e, e);
    }
  }

  private static void setMode(Path file, FileInfo info) throws IOException {
    try {
      Files.setPosixFilePermissions(file, info.permissions());
    } catch (UnsupportedOperationException notPosix) {
      // The host keeps its default permissions.
    }
  }
}
