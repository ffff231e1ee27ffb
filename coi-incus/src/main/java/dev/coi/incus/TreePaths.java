package dev.coi.incus;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * The checks that keep a copy out of an instance inside its target: the instance controls every
 * name and symlink in the tree it hands us, so none may lead a write elsewhere on the host.
 * Container paths are handled as strings with POSIX rules, whatever the host's file system.
 */
final class TreePaths {
  private TreePaths() {}

  /**
   * Why a directory entry's name must not be used as one path segment under a host directory, or
   * empty when it is safe. A listing from a sane daemon never has these; a hostile one might.
   */
  static Optional<String> unsafeName(String name) {
    if (name.isEmpty()) {
      return Optional.of("an empty name");
    }
    if (name.equals(".") || name.equals("..")) {
      return Optional.of("the name " + name);
    }
    if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
      return Optional.of("a name with a path separator");
    }
    if (name.indexOf('\0') >= 0) {
      return Optional.of("a name with a NUL byte");
    }
    return Optional.empty();
  }

  /**
   * Where an absolute container path lies relative to {@code root}: {@code ""} for the root itself,
   * {@code "a/b"} below it, empty when the path is relative or outside the tree.
   */
  static Optional<String> relativeInside(String root, String path) {
    if (!path.startsWith("/") || !root.startsWith("/")) {
      return Optional.empty();
    }
    String normalRoot = normalize(root);
    String normalPath = normalize(path);
    if (normalPath.equals(normalRoot)) {
      return Optional.of("");
    }
    String prefix = normalRoot.equals("/") ? "/" : normalRoot + "/";
    // A plain prefix test would take /workspace-other for a part of /workspace.
    return normalPath.startsWith(prefix)
        ? Optional.of(normalPath.substring(prefix.length()))
        : Optional.empty();
  }

  /** An absolute path with {@code .}, {@code ..} and repeated slashes resolved, as POSIX does. */
  static String normalize(String absolute) {
    Deque<String> segments = new ArrayDeque<>();
    for (String segment : absolute.split("/")) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        segments.pollLast();
      } else {
        segments.addLast(segment);
      }
    }
    return "/" + String.join("/", segments);
  }

  /** The container path of an entry of a container directory. */
  static String child(String directory, String name) {
    return directory.endsWith("/") ? directory + name : directory + "/" + name;
  }

  /** An absolute container path without trailing slashes ({@code "/"} stays). */
  static String trimmed(String path) {
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("a path in an instance must be absolute, not " + path);
    }
    String t = path.replaceAll("/+$", "");
    return t.isEmpty() ? "/" : t;
  }

  /** The parent of an absolute, trimmed container path; {@code "/"} for a top-level entry. */
  static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash <= 0 ? "/" : path.substring(0, slash);
  }
}
