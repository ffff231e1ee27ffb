package dev.coi.incus;

import dev.coi.api.CoiException;
import dev.coi.api.ConflictException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies a directory of an instance to the host, depth first, one GET per entry (which gives its
 * type and content at once). Every host path it writes is a plain name under a directory it made or
 * checked itself, and is never followed if it is a symlink: so neither the names and links the
 * instance hands over nor what is already on the host can lead a write outside the target. (Another
 * host process changing the target while the pull runs is not guarded against.)
 */
final class TreePull {
  private final InstanceFiles files;
  private final String instance;
  private String treeRoot;
  private Path hostRoot;

  TreePull(InstanceFiles files, String instance) {
    this.files = files;
    this.instance = instance;
  }

  void pull(String containerDir, Path hostDir) {
    InstanceFiles.Fetched top = files.fetch(instance, containerDir);
    treeRoot = containerDir;
    if (top.info().isSymlink()) {
      // The daemon resolves links to real paths, so judge the tree's links against the real root.
      treeRoot = new String(top.body(), java.nio.charset.StandardCharsets.UTF_8);
      top = files.fetch(instance, treeRoot);
    }
    if (!top.info().isDirectory()) {
      throw new CoiException(
          "cannot pull " + containerDir + " from " + instance + " as a tree: not a directory");
    }
    try {
      Files.createDirectories(hostDir);
      hostRoot = hostDir.toRealPath();
    } catch (IOException e) {
      throw new CoiException("cannot pull into " + hostDir + ": " + e, e);
    }
    pullDirectory(treeRoot, hostRoot, top.entries());
  }

  private void pullDirectory(String dir, Path hostDir, List<String> names) {
    List<String> sorted = new ArrayList<>(names);
    sorted.sort(null);
    for (String name : sorted) {
      String child = TreePaths.child(dir, name);
      TreePaths.unsafeName(name).ifPresent(reason -> refuse(child, reason));
      Path hostChild = hostDir.resolve(name);
      if (!hostDir.equals(hostChild.getParent())) {
        refuse(child, "a name that is not one path segment on this host");
      }
      InstanceFiles.Fetched entry = files.fetch(instance, child);
      switch (entry.info().type()) {
        case DIRECTORY:
          makeDirectory(child, hostChild);
          pullDirectory(child, hostChild, entry.entries());
          // Last, so that a read-only directory could still be filled.
          setMode(hostChild, entry.info());
          break;
        case SYMLINK:
          makeLink(
              child, hostChild, new String(entry.body(), java.nio.charset.StandardCharsets.UTF_8));
          break;
        default:
          writeFile(child, hostChild, entry.body());
          setMode(hostChild, entry.info());
      }
    }
  }

  private void makeDirectory(String child, Path hostChild) {
    if (Files.isSymbolicLink(hostChild)) {
      refuse(child, hostChild + " is a symlink on the host");
    }
    if (Files.exists(hostChild, LinkOption.NOFOLLOW_LINKS)) {
      if (!Files.isDirectory(hostChild, LinkOption.NOFOLLOW_LINKS)) {
        throw new ConflictException(
            "cannot pull "
                + child
                + " from "
                + instance
                + ": "
                + hostChild
                + " is not a directory");
      }
      return;
    }
    try {
      Files.createDirectory(hostChild);
    } catch (IOException e) {
      throw hostFailure(child, hostChild, e);
    }
  }

  private void writeFile(String child, Path hostChild, byte[] content) {
    if (Files.isSymbolicLink(hostChild)) {
      refuse(child, hostChild + " is a symlink on the host");
    }
    try {
      // NOFOLLOW_LINKS also holds should a symlink appear there after the check above.
      Files.write(
          hostChild,
          content,
          StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw hostFailure(child, hostChild, e);
    }
  }

  /** A link inside the tree becomes a relative host link to the same entry; others are refused. */
  private void makeLink(String child, Path hostChild, String resolvedTarget) {
    String inTree =
        TreePaths.relativeInside(treeRoot, resolvedTarget)
            .orElseThrow(
                () -> refusal(child, "a symlink to " + resolvedTarget + ", outside " + treeRoot));
    Path hostTarget = inTree.isEmpty() ? hostRoot : hostRoot.resolve(inTree).normalize();
    if (!hostTarget.startsWith(hostRoot)) {
      refuse(child, "a symlink that would lead outside " + hostRoot);
    }
    Path linkText = hostChild.getParent().relativize(hostTarget);
    try {
      if (Files.isDirectory(hostChild, LinkOption.NOFOLLOW_LINKS)) {
        throw new ConflictException(
            "cannot pull " + child + " from " + instance + ": " + hostChild + " is a directory");
      }
      Files.deleteIfExists(hostChild);
      Files.createSymbolicLink(hostChild, linkText);
    } catch (IOException e) {
      throw hostFailure(child, hostChild, e);
    }
  }

  private void setMode(Path hostPath, FileInfo info) {
    try {
      Files.setPosixFilePermissions(hostPath, info.permissions());
    } catch (UnsupportedOperationException notPosix) {
      // Then the host keeps its default permissions.
    } catch (IOException e) {
      throw new CoiException("cannot set the mode of " + hostPath + ": " + e, e);
    }
  }

  private void refuse(String child, String reason) {
    throw refusal(child, reason);
  }

  private PathEscapeException refusal(String child, String reason) {
    return new PathEscapeException(
        "refused to pull "
            + child
            + " from "
            + instance
            + " into "
            + hostRoot
            + ": "
            + reason
            + "; nothing was written outside "
            + hostRoot);
  }

  private CoiException hostFailure(String child, Path hostChild, IOException e) {
    return new CoiException(
        "cannot pull " + child + " from " + instance + " to " + hostChild + ": " + e, e);
  }
}
