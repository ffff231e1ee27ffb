package dev.coi.core.internal;

import dev.coi.hostfs.Entry;
import dev.coi.hostfs.HostDir;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@link ProtectedPaths} reads of a workspace to find its repositories: {@code .git} files and
 * directories, git configs' {@code core.hooksPath}, nested repositories and submodules. The
 * workspace is the container's to write at any time, so every read starts at a handle on the
 * workspace and goes down one component at a time, never following a link and changing nothing (an
 * unreadable directory is skipped, not opened up): an entry swapped for a link between a look and a
 * read is refused, never followed out of the workspace.
 *
 * <pre>{@code
 * try (WorkspaceScan scan = WorkspaceScan.open(workspace, WorkspaceScan.Hook.NONE)) {
 *   List<String> gitDirs = scan.gitDirectories(protect);
 * }
 * }</pre>
 */
final class WorkspaceScan implements AutoCloseable {
  /** TEST ONLY: told the relative path of each read just before it is made, to swap it then. */
  interface Hook {
    Hook NONE = relative -> {};

    void reading(String relative);
  }

  /** How deep below the workspace nested repositories are looked for. */
  static final int SCAN_DEPTH = 4;

  /** How many directories the look for nested repositories reads at most. */
  static final int SCAN_LIMIT = 2000;

  private static final String GIT = ".git";

  /** {@code hooksPath = dir} in a git config file; git's keys are case-insensitive. */
  private static final Pattern HOOKS_PATH =
      Pattern.compile("(?i)\\s*hookspath\\s*=\\s*(.*?)\\s*(?:[#;].*)?");

  /** A git config or {@code .git} file larger than this is not read. */
  private static final long MAX_FILE_BYTES = 1 << 20;

  /** Directories never looked into for nested repositories: big, and never a project's root. */
  private static final Set<String> SKIPPED = Set.of(GIT, "node_modules", "target", "build");

  private final Path workspace;
  private final HostDir root;
  private final Hook hook;

  private WorkspaceScan(Path workspace, HostDir root, Hook hook) {
    this.workspace = workspace;
    this.root = root;
    this.hook = hook;
  }

  /**
   * A scan of {@code workspace} (a real path: its own components are the user's, not the agent's).
   */
  static WorkspaceScan open(Path workspace, Hook hook) {
    try {
      return new WorkspaceScan(workspace, HostDir.openNoFollow(workspace), hook);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The git directories of the workspace's repositories, relative: {@code .git} (made when missing,
   * so that the agent cannot make one), each nested repository's, and each submodule's. A {@code
   * .git} file (a worktree's or a submodule's checkout) is given to {@code protect} itself, as is
   * each hooks directory a config names.
   */
  List<String> gitDirectories(BiConsumer<String, Boolean> protect) {
    List<String> roots = new ArrayList<>();
    roots.add("");
    roots.addAll(nestedRepositories());
    List<String> gitDirs = new ArrayList<>();
    for (String root : roots) {
      String dotGit = root.isEmpty() ? GIT : root + "/" + GIT;
      if (stat(dotGit).filter(Entry::isFile).isPresent()) {
        protect.accept(dotGit, false);
        gitDirOf(root, dotGit).ifPresent(gitDirs::add);
      } else {
        gitDirs.add(dotGit);
        gitDirs.addAll(submodules(dotGit));
        hooksPaths(dotGit, root, protect);
      }
    }
    return gitDirs;
  }

  /**
   * Gives {@code protect} the hook directories a repository's config names with {@code
   * core.hooksPath} (a relative one is relative to the repository's root), when they are inside the
   * workspace.
   */
  private void hooksPaths(String gitDir, String root, BiConsumer<String, Boolean> protect) {
    Optional<String> config = read(gitDir + "/config");
    if (config.isEmpty()) {
      return;
    }
    for (String line : config.get().split("\n", -1)) {
      Matcher hooksPath = HOOKS_PATH.matcher(line);
      if (hooksPath.matches()) {
        inside(workspace.resolve(root).resolve(hooksPath.group(1).replace("\"", "")))
            .ifPresent(named -> protect.accept(named, true));
      }
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
      for (Entry entry : entries(dir)) {
        String name = entry.name();
        if (name.equals(GIT) && !dir.isEmpty()) {
          found.add(dir);
        } else if (!SKIPPED.contains(name) && depth < SCAN_DEPTH && entry.isDirectory()) {
          queue.add(dir.isEmpty() ? name : dir + "/" + name);
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
      for (Entry entry : entries(dir)) {
        if (!entry.isDirectory()) {
          continue;
        }
        String child = dir + "/" + entry.name();
        if (stat(child + "/HEAD").filter(Entry::isFile).isPresent()) {
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
  private Optional<String> gitDirOf(String root, String dotGit) {
    return read(dotGit)
        .map(String::strip)
        .filter(text -> text.startsWith("gitdir:"))
        // Outside the workspace, the container cannot reach it.
        .flatMap(text -> inside(workspace.resolve(root).resolve(text.substring(7).strip())));
  }

  /** {@code path} relative to the workspace, when it is inside and not the workspace itself. */
  private Optional<String> inside(Path path) {
    Path named = path.normalize();
    if (!named.startsWith(workspace) || named.equals(workspace)) {
      return Optional.empty();
    }
    return Optional.of(workspace.relativize(named).toString());
  }

  /**
   * Whether {@code relative} may exist: false only when a directory on the way or the path itself
   * is missing. A link on the way counts as existing, for {@link ProtectedPaths} to refuse.
   */
  boolean exists(String relative) {
    try {
      return in(relative, false, parent -> parent.stat(nameOf(relative)).isPresent());
    } catch (NoSuchFileException missing) {
      return false;
    } catch (IOException | RuntimeException linkOrStranger) {
      return true;
    }
  }

  /** The entry at {@code relative}, never following a link; empty when missing or unreachable. */
  private Optional<Entry> stat(String relative) {
    try {
      return in(relative, false, parent -> parent.stat(nameOf(relative)));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The names in the directory {@code relative}; none when missing, unreadable or a link. */
  List<String> children(String relative) {
    return entries(relative).stream().map(Entry::name).toList();
  }

  /** The entries of the directory {@code relative}; none when missing, unreadable or a link. */
  private List<Entry> entries(String relative) {
    hook.reading(relative);
    try {
      return in(relative, true, HostDir::list);
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  /** The text of the regular file {@code relative}; empty when it is anything else or too big. */
  private Optional<String> read(String relative) {
    hook.reading(relative);
    try {
      byte[] content = in(relative, false, parent -> parent.read(nameOf(relative), MAX_FILE_BYTES));
      return Optional.of(new String(content, StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      // Unreadable, strange or a link: git will not read it either, or it is not ours to look at.
      return Optional.empty();
    }
  }

  private static String nameOf(String relative) {
    return Path.of(relative).getFileName().toString();
  }

  private interface DirectoryWork<T> {
    T apply(HostDir dir) throws IOException;
  }

  /**
   * Runs {@code work} in the directory {@code relative} ({@code whole}) or in the one holding it,
   * reached from the workspace's handle one component at a time.
   */
  private <T> T in(String relative, boolean whole, DirectoryWork<T> work) throws IOException {
    Path path = Path.of(relative);
    int count = relative.isEmpty() ? 0 : whole ? path.getNameCount() : path.getNameCount() - 1;
    if (count == 0) {
      return work.apply(root);
    }
    HostDir current = root.directoryAsIs(path.getName(0).toString());
    try {
      for (int i = 1; i < count; i++) {
        HostDir next = current.directoryAsIs(path.getName(i).toString());
        current.close();
        current = next;
      }
      return work.apply(current);
    } finally {
      current.close();
    }
  }

  @Override
  public void close() {
    try {
      root.close();
    } catch (IOException e) {
      // Closing a directory handle only read from.
    }
  }
}
