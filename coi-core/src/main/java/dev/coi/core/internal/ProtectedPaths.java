package dev.coi.core.internal;

import dev.coi.api.InvalidSpecException;
import dev.coi.api.Mount;
import dev.coi.hostfs.Entry;
import dev.coi.hostfs.HostDir;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The workspace files that programs on the host run later (git hooks and config, editor tasks, the
 * agent's own project settings, direnv, coi's project file), made read-only inside the container by
 * read-only mounts of each over itself, present from the container's first instant.
 *
 * <p>Each directory between the workspace and a protected path is mounted over itself too
 * (writable), because a mount point cannot be renamed or removed: without that the agent could
 * rename {@code .git} away and make a new one. A protected path that does not exist gets a
 * placeholder first (an empty file, {@code {}} for {@code .json}, or an empty directory for a path
 * written with a trailing {@code /}), owned by the workspace owner, which {@link
 * PlaceholderRegistry} has {@link #removePlaceholders} take away when the last session of the
 * workspace is over; so the agent cannot create the path either. Entries starting with {@code
 * .git/} apply to every repository found: the workspace's, those nested up to {@link
 * WorkspaceScan#SCAN_DEPTH} directories deep (at most {@link WorkspaceScan#SCAN_LIMIT} directories
 * read), and each submodule's and worktree's git directory inside the workspace. A protected path,
 * or a directory on the way to it, that is a symbolic link stops the session: coi never mounts what
 * a link in a container-writable tree points at. What the plan reads of the workspace it reads
 * through {@link WorkspaceScan}'s handles, never by path.
 */
final class ProtectedPaths {
  /**
   * A placeholder's mode, as the usual umask gave it before: readable, never writable by others.
   */
  private static final Set<PosixFilePermission> PLACEHOLDER_DIRECTORY =
      PosixFilePermissions.fromString("rwxr-xr-x");

  private static final Set<PosixFilePermission> PLACEHOLDER_FILE =
      PosixFilePermissions.fromString("rw-r--r--");

  private static final String GIT_PREFIX = ".git/";

  private final Path workspace;
  private final Workspaces.Owner owner;

  /** Protected paths relative to the workspace, a directory's with a trailing slash. */
  private final TreeMap<String, Boolean> protectedPaths = new TreeMap<>();

  private final List<Path> placeholders = new ArrayList<>();

  private ProtectedPaths(Path workspace, Workspaces.Owner owner) {
    this.workspace = workspace;
    this.owner = owner;
  }

  /** What {@link #plan} made: the mounts, and the placeholders it created on the host. */
  record Plan(List<Mount> mounts, List<Path> placeholders) {}

  /**
   * The mounts that protect {@code entries} in {@code workspace}, creating placeholders for what is
   * missing.
   *
   * @param workspace the workspace, a real path
   * @param target where the workspace is in the container
   * @param entries relative paths, a directory's written with a trailing {@code /}
   */
  static Plan plan(Path workspace, String target, List<String> entries, Workspaces.Owner owner) {
    return plan(workspace, target, entries, owner, WorkspaceScan.Hook.NONE);
  }

  /** {@link #plan}, with a test's hook on each read of the workspace. */
  static Plan plan(
      Path workspace,
      String target,
      List<String> entries,
      Workspaces.Owner owner,
      WorkspaceScan.Hook hook) {
    ProtectedPaths paths = new ProtectedPaths(workspace, owner);
    try (WorkspaceScan scan = WorkspaceScan.open(workspace, hook)) {
      paths.collect(entries, scan);
      try {
        return new Plan(paths.mounts(target, scan), List.copyOf(paths.placeholders));
      } catch (RuntimeException e) {
        removePlaceholders(paths.placeholders);
        throw e;
      }
    }
  }

  private void collect(List<String> entries, WorkspaceScan scan) {
    List<String> gitEntries = new ArrayList<>();
    for (String entry : entries) {
      String relative = normal(entry);
      if (relative.startsWith(GIT_PREFIX)) {
        gitEntries.add(relative.substring(GIT_PREFIX.length()));
      } else {
        protectedPaths.put(strip(relative), relative.endsWith("/"));
      }
    }
    if (gitEntries.isEmpty()) {
      return;
    }
    for (String gitDir : scan.gitDirectories(protectedPaths::put)) {
      for (String inside : gitEntries) {
        protectedPaths.put(strip(gitDir + "/" + inside), inside.endsWith("/"));
      }
      // The per-worktree config (extensions.worktreeConfig) is config as well.
      if (gitEntries.contains("config")) {
        for (String worktree : scan.children(gitDir + "/worktrees")) {
          protectedPaths.put(gitDir + "/worktrees/" + worktree + "/config.worktree", false);
        }
      }
    }
  }

  /** An entry as a clean relative path; one that leaves the workspace is a configuration error. */
  private static String normal(String entry) {
    Path path = Path.of(entry).normalize();
    if (entry.isBlank()
        || path.isAbsolute()
        || path.startsWith("..")
        || path.toString().isEmpty()) {
      throw new InvalidSpecException(
          "protected path \""
              + entry
              + "\" is not a path inside the workspace: give it relative to the workspace, as"
              + " \".vscode/\" or \".envrc\", in [security] protected_paths");
    }
    return path + (entry.endsWith("/") ? "/" : "");
  }

  private static String strip(String path) {
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /**
   * The mounts, parents first: each protected path read-only (a path below another protected one is
   * covered by it), each directory on the way writable.
   */
  private List<Mount> mounts(String target, WorkspaceScan scan) {
    coverMissingDirectories(scan);
    Set<String> covered = new TreeSet<>();
    Set<String> pins = new TreeSet<>();
    for (var entry : protectedPaths.entrySet()) {
      String path = entry.getKey();
      if (hasProtectedAncestor(path)) {
        continue;
      }
      covered.add(path);
      Path parent = Path.of(path).getParent();
      while (parent != null) {
        pins.add(parent.toString());
        parent = parent.getParent();
      }
    }
    TreeMap<String, Mount> mounts = new TreeMap<>();
    for (String pin : pins) {
      Path path = existing(pin, true);
      mounts.put(pin, Mount.of(path, target + "/" + pin));
    }
    for (String path : covered) {
      Path host = existing(path, protectedPaths.get(path));
      mounts.put(path, Mount.of(host, target + "/" + path).withReadOnly(true));
    }
    return List.copyOf(mounts.values());
  }

  /**
   * A protected path below a directory that does not exist is covered by that directory, made a
   * read-only placeholder itself: one mount instead of one per path and per directory on the way
   * (each costs time when the container starts), and nothing can be made inside it either.
   */
  private void coverMissingDirectories(WorkspaceScan scan) {
    TreeMap<String, Boolean> paths = new TreeMap<>();
    for (var entry : protectedPaths.entrySet()) {
      Path path = Path.of(entry.getKey());
      String covering = entry.getKey();
      boolean directory = entry.getValue();
      for (int i = 1; i < path.getNameCount(); i++) {
        String ancestor = path.subpath(0, i).toString();
        if (!scan.exists(ancestor)) {
          covering = ancestor;
          directory = true;
          break;
        }
      }
      paths.merge(covering, directory, Boolean::logicalOr);
    }
    protectedPaths.clear();
    protectedPaths.putAll(paths);
  }

  private boolean hasProtectedAncestor(String path) {
    Path parent = Path.of(path).getParent();
    while (parent != null) {
      if (protectedPaths.containsKey(parent.toString())) {
        return true;
      }
      parent = parent.getParent();
    }
    return false;
  }

  /**
   * The host path of {@code relative}, made as a placeholder when missing (its parents exist: they
   * come first); a link is refused.
   */
  private Path existing(String relative, boolean directory) {
    Path path = workspace.resolve(relative);
    Path name = Path.of(relative).getFileName();
    // The workspace is the container's to write (a parallel session's agent may be at work in it):
    // every component is opened through a handle, never following a link, so that a directory
    // swapped for a link after the checks above cannot lead the placeholder onto the host.
    try (HostDir parent = HostDir.openNoFollow(path.getParent())) {
      Optional<Entry> there = parent.stat(name.toString());
      if (there.isPresent() && there.get().isSymlink()) {
        throw new InvalidSpecException(
            "protected path "
                + relative
                + " in workspace "
                + workspace
                + " is a symbolic link, which coi never follows: replace it with the file itself,"
                + " or leave it out of [security] protected_paths in your own configuration");
      }
      if (there.isPresent()) {
        return path;
      }
      if (directory) {
        parent.createDirectory(name.toString(), PLACEHOLDER_DIRECTORY).close();
      } else {
        byte[] content =
            relative.endsWith(".json") ? "{}\n".getBytes(StandardCharsets.UTF_8) : new byte[0];
        try (SeekableByteChannel file = parent.createFile(name.toString(), PLACEHOLDER_FILE)) {
          file.write(ByteBuffer.wrap(content));
        }
      }
      placeholders.add(path);
      parent.chown(name.toString(), owner.uid(), owner.gid());
      return path;
    } catch (FileAlreadyExistsException raced) {
      return existing(relative, directory);
    } catch (IOException | UnsupportedOperationException e) {
      throw new InvalidSpecException(
          "cannot make a placeholder for protected path "
              + relative
              + " in workspace "
              + workspace
              + " ("
              + e.getMessage()
              + "): make the workspace writable, or leave the path out of [security]"
              + " protected_paths in your own configuration");
    }
  }

  /**
   * Removes the placeholders {@link #plan} made, the deepest first, each only while it is still an
   * empty file or directory and not a link: the agent could only have added to a placeholder
   * directory that leads to a protected path, and what it added stays.
   */
  static void removePlaceholders(List<Path> placeholders) {
    for (int i = placeholders.size() - 1; i >= 0; i--) {
      Path path = placeholders.get(i);
      String name = path.getFileName().toString();
      // Through handles from the root: a component swapped for a link is refused, never followed.
      try (HostDir parent = HostDir.openNoFollow(path.getParent())) {
        Optional<Entry> there = parent.stat(name);
        if (there.isEmpty() || there.get().isSymlink()) {
          continue;
        }
        if (there.get().isDirectory()) {
          try (HostDir placeholder = parent.directory(name)) {
            if (!placeholder.list().isEmpty()) {
              continue;
            }
          }
        } else if (!there.get().isFile() || there.get().size() > 3) {
          continue;
        }
        parent.delete(name);
      } catch (IOException | RuntimeException e) {
        // Left behind: an empty placeholder is harmless, and docs/SECURITY.md says it may stay.
      }
    }
  }
}
