package dev.coi.incus;

import dev.coi.api.CoiException;
import dev.coi.api.ConflictException;
import dev.coi.hostfs.Entry;
import dev.coi.hostfs.HostDir;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Copies a host file or directory into an instance, depth first, making missing parents in the
 * instance. The host side may be a directory the container writes (a mount), so it is read through
 * directory handles, following no link on any component of the path or in the tree, and each file
 * is opened once before the round trips that send it. Below a directory it had to create, it knows
 * nothing is there yet and skips the existence checks (one request per entry instead of two).
 */
final class TreePush {
  private static final System.Logger LOG = System.getLogger(TreePush.class.getName());
  private static final int DEFAULT_FILE_MODE = 0644;
  private static final int DEFAULT_DIRECTORY_MODE = 0755;

  private final InstanceFiles files;
  private final String instance;
  private final PushPolicy policy;

  TreePush(InstanceFiles files, String instance, PushPolicy policy) {
    this.files = files;
    this.instance = instance;
    this.policy = policy;
  }

  void push(Path hostPath, String containerPath) {
    String target = TreePaths.trimmed(containerPath);
    Path absolute = hostPath.toAbsolutePath().normalize();
    if (absolute.getParent() == null) {
      throw new CoiException("cannot push " + hostPath + " to " + instance + ": the root");
    }
    String name = absolute.getFileName().toString();
    try (HostDir parent = HostDir.openNoFollow(absolute.getParent())) {
      Entry entry =
          parent
              .stat(name)
              .orElseThrow(() -> new CoiException(cannot(hostPath) + "no such file on the host"));
      ensureParents(TreePaths.parent(target));
      switch (entry.type()) {
        case DIRECTORY:
          try (HostDir dir = parent.directory(name)) {
            pushDirectory(dir, entry, target, false);
          }
          break;
        case FILE:
          pushFile(parent, entry, target, true);
          break;
        case SYMLINK:
          throw new PathEscapeException(
              cannot(hostPath) + "a symbolic link, never followed: pass its real path");
        default:
          throw new CoiException(cannot(hostPath) + "neither a file nor a directory");
      }
    } catch (IOException e) {
      throw new CoiException(cannot(hostPath) + e.getMessage() + " on the host", e);
    }
  }

  private String cannot(Path hostPath) {
    return "cannot push " + hostPath + " to " + instance + ": ";
  }

  private void pushDirectory(HostDir dir, Entry self, String target, boolean parentIsNew)
      throws IOException {
    boolean isNew =
        ensureDirectory(
            target,
            mode(self.permissions(), policy.directoryMode(), DEFAULT_DIRECTORY_MODE),
            parentIsNew);
    for (Entry entry : dir.list()) {
      String childTarget = TreePaths.child(target, entry.name());
      switch (entry.type()) {
        case SYMLINK:
          pushLink(dir.readLink(entry.name()), childTarget, isNew);
          break;
        case DIRECTORY:
          try (HostDir child = dir.directory(entry.name())) {
            pushDirectory(child, entry, childTarget, isNew);
          }
          break;
        case FILE:
          pushFile(dir, entry, childTarget, !isNew);
          break;
        default:
          LOG.log(
              System.Logger.Level.INFO,
              "not pushed, neither a file, a directory nor a symlink: {0}",
              dir.path().resolve(entry.name()));
      }
    }
  }

  private void pushFile(HostDir dir, Entry entry, String target, boolean mayExist) {
    int mode = mode(entry.permissions(), policy.fileMode(), DEFAULT_FILE_MODE);
    try (HostFileBody body = HostFileBody.open(dir, entry.name())) {
      files.push(instance, target, body, null, policy.uid(), policy.gid(), mode, mayExist);
    }
  }

  /** Makes {@code dir} and its missing parents in the instance, with the policy's owner. */
  private void ensureParents(String dir) {
    if (dir.equals("/") || files.head(instance, dir).map(this::mustBeDirectory).isPresent()) {
      return;
    }
    ensureParents(TreePaths.parent(dir));
    files.mkdir(instance, dir, policy.uid(), policy.gid(), DEFAULT_DIRECTORY_MODE);
  }

  private FileInfo mustBeDirectory(FileInfo existing) {
    if (!existing.isDirectory()) {
      throw new ConflictException(
          "Incus: cannot push a directory to "
              + existing.path()
              + " in "
              + instance
              + ": a "
              + existing.type().name().toLowerCase(java.util.Locale.ROOT)
              + " is there");
    }
    return existing;
  }

  /** Makes the directory unless it is there; true when it was made (and so is empty). */
  private boolean ensureDirectory(String target, int mode, boolean parentIsNew) {
    if (!parentIsNew && files.head(instance, target).map(this::mustBeDirectory).isPresent()) {
      return false;
    }
    files.mkdir(instance, target, policy.uid(), policy.gid(), mode);
    return true;
  }

  private void pushLink(String linkTarget, String target, boolean parentIsNew) {
    if (!parentIsNew) {
      Optional<FileInfo> existing = files.head(instance, target);
      if (existing.isPresent() && existing.get().isDirectory()) {
        throw new ConflictException(
            "Incus: cannot push a symlink to "
                + target
                + " in "
                + instance
                + ": a directory is there");
      }
      if (existing.isPresent()) {
        files.delete(instance, target);
      }
    }
    files.symlink(instance, target, linkTarget);
  }

  /** The policy's fixed mode, else the host entry's permission bits. */
  private static int mode(Set<PosixFilePermission> permissions, OptionalInt fixed, int fallback) {
    if (fixed.isPresent()) {
      return fixed.getAsInt();
    }
    return permissions == null ? fallback : bits(permissions);
  }

  static int bits(Set<PosixFilePermission> permissions) {
    return FileInfo.modeOf(permissions);
  }
}
