package dev.coi.incus;

import dev.coi.api.CoiException;
import dev.coi.api.ConflictException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Copies a host directory into an instance, depth first. Below a directory it had to create, it
 * knows nothing is there yet and skips the existence checks (one request per entry instead of two).
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

  void push(Path hostDir, String containerDir) {
    Path root;
    try {
      root = hostDir.toRealPath();
    } catch (IOException e) {
      throw new CoiException("cannot push " + hostDir + " to " + instance + ": " + e, e);
    }
    if (!Files.isDirectory(root)) {
      throw new CoiException("cannot push " + hostDir + " to " + instance + ": not a directory");
    }
    pushDirectory(root, containerDir, false);
  }

  private void pushDirectory(Path dir, String target, boolean parentIsNew) {
    boolean isNew =
        ensureDirectory(
            target, mode(dir, policy.directoryMode(), DEFAULT_DIRECTORY_MODE), parentIsNew);
    for (Path child : children(dir)) {
      String childTarget = TreePaths.child(target, child.getFileName().toString());
      BasicFileAttributes attributes = attributes(child);
      if (attributes.isSymbolicLink()) {
        pushLink(child, childTarget, isNew);
      } else if (attributes.isDirectory()) {
        pushDirectory(child, childTarget, isNew);
      } else if (attributes.isRegularFile()) {
        int mode = mode(child, policy.fileMode(), DEFAULT_FILE_MODE);
        files.push(
            instance,
            childTarget,
            HostFileBody.of(child),
            null,
            policy.uid(),
            policy.gid(),
            mode,
            !isNew);
      } else {
        LOG.log(
            System.Logger.Level.INFO,
            "not pushed, neither a file, a directory nor a symlink: {0}",
            child);
      }
    }
  }

  /** Makes the directory unless it is there; true when it was made (and so is empty). */
  private boolean ensureDirectory(String target, int mode, boolean parentIsNew) {
    if (!parentIsNew) {
      FileInfo existing = files.head(instance, target);
      if (existing != null) {
        if (!existing.isDirectory()) {
          throw new ConflictException(
              "Incus: cannot push a directory to "
                  + target
                  + " in "
                  + instance
                  + ": a "
                  + existing.type().name().toLowerCase(java.util.Locale.ROOT)
                  + " is there");
        }
        return false;
      }
    }
    files.mkdir(instance, target, policy.uid(), policy.gid(), mode);
    return true;
  }

  private void pushLink(Path link, String target, boolean parentIsNew) {
    String linkTarget;
    try {
      linkTarget = Files.readSymbolicLink(link).toString();
    } catch (IOException e) {
      throw new CoiException("cannot read the symlink " + link + ": " + e, e);
    }
    if (!parentIsNew) {
      FileInfo existing = files.head(instance, target);
      if (existing != null && existing.isDirectory()) {
        throw new ConflictException(
            "Incus: cannot push a symlink to "
                + target
                + " in "
                + instance
                + ": a directory is there");
      }
      if (existing != null) {
        files.delete(instance, target);
      }
    }
    files.symlink(instance, target, linkTarget);
  }

  private static List<Path> children(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new CoiException("cannot list " + dir + ": " + e, e);
    }
  }

  private static BasicFileAttributes attributes(Path path) {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new CoiException("cannot read " + path + ": " + e, e);
    }
  }

  /** The policy's fixed mode, else the host entry's permission bits. */
  private static int mode(Path path, OptionalInt fixed, int fallback) {
    if (fixed.isPresent()) {
      return fixed.getAsInt();
    }
    try {
      return bits(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    } catch (UnsupportedOperationException notPosix) {
      return fallback;
    } catch (IOException e) {
      throw new CoiException("cannot read the permissions of " + path + ": " + e, e);
    }
  }

  static int bits(Set<PosixFilePermission> permissions) {
    return FileInfo.modeOf(permissions);
  }
}
