package dev.coi.core.internal;

import dev.coi.api.InvalidSpecException;
import dev.coi.api.Mount;
import dev.coi.hostfs.Entry;
import dev.coi.hostfs.HostDir;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * .git/} apply to every repository found: the workspace's, those nested up to {@link #SCAN_DEPTH}
 * directories deep (at most {@link #SCAN_LIMIT} directories read), and each submodule's and
 * worktree's git directory inside the workspace. A protected path, or a directory on the way to it,
 * that is a symbolic link stops the session: coi never mounts what a link in a container-writable
 * tree points at.
 */
final class ProtectedPaths {
  /**
   * A placeholder's mode, as the usual umask gave it before: readable, never writable by others.
   */
  private static final Set<PosixFilePermission> PLACEHOLDER_DIRECTORY =
      PosixFilePermissions.fromString("rwxr-xr-x");

  private static final Set<PosixFilePermission> PLACEHOLDER_FILE =
      PosixFilePermissions.fromString("rw-r--r--");

  /** How deep below the workspace nested repositories are looked for. */
  static final int SCAN_DEPTH = 4;

  /** How many directories the look for nested repositories reads at most. */
  static final int SCAN_LIMIT = 2000;

  private static final String GIT = ".git";

  /** {@code hooksPath = dir} in a git config file; git's keys are case-insensitive. */
  private static final Pattern HOOKS_PATH =
      Pattern.compile("(?i)\\s*hookspath\\s*=\\s*(.*?)\\s*(?:[#;].*)?");

  /** A git config larger than this is not read for {@code core.hooksPath}. */
  private static final long MAX_CONFIG_BYTES = 1 << 20;

  private static final String GIT_PREFIX = ".git/";

  /** Directories never looked into for nested repositories: big, and never a project's root. */
  private static final Set<String> SKIPPED = Set.of(GIT, "node_modules", "target", "build");

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
    ProtectedPaths paths = new ProtectedPaths(workspace, owner);
    paths.collect(entries);
    try {
      return new Plan(paths.mounts(target), List.copyOf(paths.placeholders));
    } catch (RuntimeException e) {
      removePlaceholders(paths.placeholders);
      throw e;
    }
  }

  private void collect(List<String> entries) {
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
    for (String gitDir : gitDirectories()) {
      for (String inside : gitEntries) {
        protectedPaths.put(strip(gitDir + "/" + inside), inside.endsWith("/"));
      }
      // The per-worktree config (extensions.worktreeConfig) is config as well.
      if (gitEntries.contains("config")) {
        for (String worktree : children(gitDir + "/worktrees")) {
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
   * The git directories of the workspace's repositories, relative: {@code .git} (made when missing,
   * so that the agent cannot make one), each nested repository's, and each submodule's. A {@code
   * .git} file (a worktree's or a submodule's checkout) is protected itself.
   */
  private List<String> gitDirectories() {
    List<String> roots = new ArrayList<>();
    roots.add("");
    roots.addAll(nestedRepositories());
    List<String> gitDirs = new ArrayList<>();
    for (String root : roots) {
      String dotGit = root.isEmpty() ? GIT : root + "/" + GIT;
      Path path = workspace.resolve(dotGit);
      if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
        protectedPaths.put(dotGit, false);
        gitDirOf(path).ifPresent(gitDirs::add);
      } else {
        gitDirs.add(dotGit);
        gitDirs.addAll(submodules(dotGit));
        hooksPaths(dotGit, root);
      }
    }
    return gitDirs;
  }

  /**
   * Protects the hook directories a repository's config names with {@code core.hooksPath} (a
   * relative one is relative to the repository's root), when they are inside the workspace.
   */
  private void hooksPaths(String gitDir, String root) {
    Path config = workspace.resolve(gitDir).resolve("config");
    try {
      if (!Files.isRegularFile(config, LinkOption.NOFOLLOW_LINKS)
          || Files.size(config) > MAX_CONFIG_BYTES) {
        return;
      }
      for (String line : Files.readAllLines(config, StandardCharsets.UTF_8)) {
        Matcher hooksPath = HOOKS_PATH.matcher(line);
        if (!hooksPath.matches()) {
          continue;
        }
        Path named =
            workspace.resolve(root).resolve(hooksPath.group(1).replace("\"", "")).normalize();
        if (named.startsWith(workspace) && !named.equals(workspace)) {
          protectedPaths.put(workspace.relativize(named).toString(), true);
        }
      }
    } catch (IOException | RuntimeException e) {
      // Unreadable or strange: git will not read it either, or the repository is not ours to fix.
    }
  }

  /** Repositories below the workspace, breadth first, within the scan's bounds. */
  private List<String> nestedRepositories() {
    List<String> found = new ArrayList<>();
    Deque<String> queue = new ArrayDeque<>(List.of(""));
    int read = 0;
    while (!queue.isEmpty() && read < SCAN_LIMIT) {
      String dir = queue.poll();
      read++;
      int depth = dir.isEmpty() ? 0 : dir.split("/").length;
      for (String name : children(dir)) {
        String child = dir.isEmpty() ? name : dir + "/" + name;
        if (name.equals(GIT) && !dir.isEmpty()) {
          found.add(dir);
        } else if (!SKIPPED.contains(name)
            && depth < SCAN_DEPTH
            && Files.isDirectory(workspace.resolve(child), LinkOption.NOFOLLOW_LINKS)) {
          queue.add(child);
        }
      }
    }
    return found;
  }

  /** Submodules' git directories under {@code gitDir/modules}, nested ones too, bounded. */
  private List<String> submodules(String gitDir) {
    List<String> found = new ArrayList<>();
    Deque<String> queue = new ArrayDeque<>(List.of(gitDir + "/modules"));
    int read = 0;
    while (!queue.isEmpty() && read < SCAN_LIMIT) {
      String dir = queue.poll();
      read++;
      for (String name : children(dir)) {
        String child = dir + "/" + name;
        if (!Files.isDirectory(workspace.resolve(child), LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        if (Files.isRegularFile(
            workspace.resolve(child).resolve("HEAD"), LinkOption.NOFOLLOW_LINKS)) {
          found.add(child);
          queue.add(child + "/modules");
        } else {
          // A submodule named with a slash ("libs/foo") is a directory of directories.
          queue.add(child);
        }
      }
    }
    return found;
  }

  /** The git directory a {@code .git} file names, when it is inside the workspace. */
  private Optional<String> gitDirOf(Path dotGitFile) {
    try {
      String text = Files.readString(dotGitFile, StandardCharsets.UTF_8).strip();
      if (!text.startsWith("gitdir:")) {
        return Optional.empty();
      }
      Path named = dotGitFile.getParent().resolve(text.substring(7).strip()).normalize();
      if (!named.startsWith(workspace) || named.equals(workspace)) {
        // Outside the workspace, the container cannot reach it.
        return Optional.empty();
      }
      return Optional.of(workspace.relativize(named).toString());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The names in a directory of the workspace; none when it is missing, unreadable or a link. */
  private List<String> children(String relative) {
    Path dir = workspace.resolve(relative);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        names.add(entry.getFileName().toString());
      }
    } catch (IOException | UncheckedIOException e) {
      return List.of();
    }
    names.sort(null);
    return names;
  }

  /**
   * The mounts, parents first: each protected path read-only (a path below another protected one is
   * covered by it), each directory on the way writable.
   */
  private List<Mount> mounts(String target) {
    coverMissingDirectories();
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
  private void coverMissingDirectories() {
    TreeMap<String, Boolean> paths = new TreeMap<>();
    for (var entry : protectedPaths.entrySet()) {
      Path path = Path.of(entry.getKey());
      String covering = entry.getKey();
      boolean directory = entry.getValue();
      for (int i = 1; i < path.getNameCount(); i++) {
        String ancestor = path.subpath(0, i).toString();
        if (!Files.exists(workspace.resolve(ancestor), LinkOption.NOFOLLOW_LINKS)) {
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
