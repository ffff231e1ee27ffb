package dev.coi.incus;

import dev.coi.api.CoiException;
import dev.coi.api.ConflictException;
import dev.coi.hostfs.Entry;
import dev.coi.hostfs.HostDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Copies a directory (or a single file) of an instance to the host, depth first, one GET per entry
 * (which gives its type and content at once). The host target may lie in the workspace, which the
 * container writes while the pull runs, so every host step goes through directory handles: the
 * target's path is opened following no link on any component, each entry is created in the
 * directory handle it belongs to, and a file is written beside its name and renamed over it.
 * Neither the names and links the instance hands over, nor links already on the host or swapped in
 * during the pull, can lead a write outside the target.
 */
final class TreePull {
  /** Directories are made private until filled, then given the instance's mode. */
  private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> NEW_DIRECTORY =
      HostDir.PRIVATE_DIRECTORY;

  private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> PARENT_MODE =
      PosixFilePermissions.fromString("rwxr-xr-x");

  /** Linux's PATH_MAX: no symlink's text is longer. */
  private static final int MAX_LINK_TEXT = 4096;

  private final InstanceFiles files;
  private final String instance;
  private String treeRoot;
  private Path hostRoot;

  TreePull(InstanceFiles files, String instance) {
    this.files = files;
    this.instance = instance;
  }

  /** Pulls a directory into {@code hostDir}, made when missing. */
  void pull(String containerDir, Path hostDir) {
    FileInfo topInfo;
    List<String> topEntries;
    try (FileStream top = resolvedTop(containerDir)) {
      topInfo = top.info();
      if (!topInfo.isDirectory()) {
        throw new CoiException(
            "cannot pull " + containerDir + " from " + instance + " as a tree: not a directory");
      }
      topEntries = top.entries();
    }
    hostRoot = hostDir.toAbsolutePath().normalize();
    String name = hostRoot.getFileName().toString();
    try (HostDir parent = openParent(hostRoot)) {
      boolean made = parent.stat(name).isEmpty();
      try (HostDir root = directory(parent, containerDir, name)) {
        pullDirectory(treeRoot, root, Path.of(""), topEntries);
        if (made) {
          setMode(root, topInfo);
        }
      }
    } catch (IOException e) {
      throw new CoiException("cannot pull into " + hostDir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Pulls a directory or a file (a symlink is followed, in the instance) to {@code target}, which
   * must not exist yet; its missing parents are made.
   */
  void pullPath(String source, Path target) {
    Path absolute = target.toAbsolutePath().normalize();
    hostRoot = absolute;
    try (HostDir parent = openParent(absolute)) {
      String name = absolute.getFileName().toString();
      if (parent.stat(name).isPresent()) {
        throw new ConflictException(
            "cannot pull "
                + source
                + " from "
                + instance
                + " to "
                + target
                + ": it exists already; pull to a path that does not exist yet");
      }
      FileInfo topInfo;
      List<String> topEntries;
      try (FileStream top = resolvedTop(source)) {
        topInfo = top.info();
        if (!topInfo.isDirectory()) {
          writeFile(parent, source, name, top);
          return;
        }
        topEntries = top.entries();
      }
      try (HostDir root = parent.createDirectory(name, NEW_DIRECTORY)) {
        pullDirectory(treeRoot, root, Path.of(""), topEntries);
        setMode(root, topInfo);
      }
    } catch (IOException e) {
      throw new CoiException(
          "cannot pull " + source + " from " + instance + " to " + target + ": " + e.getMessage(),
          e);
    }
  }

  /** The top entry, through a symlink: the daemon resolves links to real paths. */
  private FileStream resolvedTop(String containerPath) {
    FileStream top = files.open(instance, containerPath);
    treeRoot = containerPath;
    if (!top.info().isSymlink()) {
      return top;
    }
    // Judge the tree's links against the real root.
    try (FileStream link = top) {
      treeRoot = linkText(containerPath, link);
    }
    return files.open(instance, treeRoot);
  }

  /** A symlink's target as the daemon sends it: its text, bounded as a path is. */
  private String linkText(String path, FileStream link) {
    try {
      return new String(link.content().readNBytes(MAX_LINK_TEXT), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CoiException(
          "cannot read the symlink " + path + " in " + instance + ": " + e.getMessage(), e);
    }
  }

  /** The target's parent, every component opened without following a link; missing ones made. */
  private static HostDir openParent(Path absolute) throws IOException {
    Path parent = absolute.getParent();
    if (parent == null) {
      throw new IOException("cannot pull to the root directory");
    }
    Path existing = parent;
    while (!java.nio.file.Files.exists(existing, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      existing = existing.getParent();
    }
    HostDir dir = HostDir.openNoFollow(existing);
    try {
      for (Path name : existing.relativize(parent)) {
        if (name.toString().isEmpty()) {
          continue;
        }
        HostDir next =
            dir.stat(name.toString()).isPresent()
                ? dir.directory(name.toString())
                : dir.createDirectory(name.toString(), PARENT_MODE);
        dir.close();
        dir = next;
      }
      return dir;
    } catch (IOException | RuntimeException e) {
      dir.close();
      throw e;
    }
  }

  private void pullDirectory(String dir, HostDir hostDir, Path relative, List<String> names)
      throws IOException {
    List<String> sorted = new ArrayList<>(names);
    sorted.sort(null);
    for (String name : sorted) {
      String child = TreePaths.child(dir, name);
      TreePaths.unsafeName(name).ifPresent(reason -> refuse(child, reason));
      FileInfo info;
      List<String> entries;
      // Each file streams from the daemon to its host file; a directory's answer is closed before
      // its children are pulled, so that no more than one answer is open at a time.
      try (FileStream entry = files.open(instance, child)) {
        info = entry.info();
        if (info.type() == FileInfo.Type.SYMLINK) {
          makeLink(hostDir, child, name, relative, linkText(child, entry));
          continue;
        }
        if (info.type() != FileInfo.Type.DIRECTORY) {
          writeFile(hostDir, child, name, entry);
          continue;
        }
        entries = entry.entries();
      }
      try (HostDir sub = directory(hostDir, child, name)) {
        pullDirectory(child, sub, relative.resolve(name), entries);
        // Last, so that a read-only directory could still be filled.
        setMode(sub, info);
      }
    }
  }

  /** The directory {@code name}, made when missing; a link or a file there is refused. */
  private HostDir directory(HostDir parent, String child, String name) throws IOException {
    Optional<Entry> there = parent.stat(name);
    if (there.isEmpty()) {
      return parent.createDirectory(name, NEW_DIRECTORY);
    }
    if (there.get().isSymlink()) {
      refuse(child, parent.path().resolve(name) + " is a symlink on the host");
    }
    if (!there.get().isDirectory()) {
      throw inTheWay(child, parent.path().resolve(name) + " is not a directory");
    }
    return parent.directory(name);
  }

  private void writeFile(HostDir dir, String child, String name, FileStream entry)
      throws IOException {
    Optional<Entry> there = dir.stat(name);
    if (there.isPresent() && there.get().isSymlink()) {
      refuse(child, dir.path().resolve(name) + " is a symlink on the host");
    }
    // Written beside and renamed over the name: a link swapped in meanwhile is replaced.
    dir.write(name, entry.content(), HostDir.PRIVATE_FILE);
    dir.setPermissions(name, entry.info().permissions());
  }

  /** A link inside the tree becomes a relative host link to the same entry; others are refused. */
  private void makeLink(
      HostDir dir, String child, String name, Path relative, String resolvedTarget)
      throws IOException {
    String inTree =
        TreePaths.relativeInside(treeRoot, resolvedTarget)
            .orElseThrow(
                () -> refusal(child, "a symlink to " + resolvedTarget + ", outside " + treeRoot));
    Path target = Path.of(inTree).normalize();
    if (target.startsWith("..")) {
      refuse(child, "a symlink that would lead outside " + hostRoot);
    }
    // Both relative to the root, so the text is the same whatever the root's path.
    Path linkText = relative.relativize(target);
    if (linkText.toString().isEmpty()) {
      linkText = Path.of(".");
    }
    Optional<Entry> there = dir.stat(name);
    if (there.isPresent() && there.get().isDirectory()) {
      throw inTheWay(child, dir.path().resolve(name) + " is a directory");
    }
    dir.delete(name);
    dir.symlink(name, linkText.toString());
  }

  private static void setMode(HostDir dir, FileInfo info) throws IOException {
    dir.setPermissions(info.permissions());
  }

  /** A host entry of the wrong kind where {@code child} goes: not an escape, a conflict. */
  private ConflictException inTheWay(String child, String what) {
    return new ConflictException("cannot pull " + child + " from " + instance + ": " + what);
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
}
