package dev.coi.tck;

import dev.coi.api.CoiException;
import dev.coi.api.ConflictException;
import dev.coi.api.NotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The file tree of one fake container, in memory: files, directories and symlinks with owner and
 * mode, keyed by absolute path. Behaves as the Incus backend does where the contract looks.
 */
final class FakeFiles {
  private enum Kind {
    FILE,
    DIRECTORY,
    SYMLINK
  }

  private record Entry(Kind kind, byte[] content, int uid, int gid, int mode) {}

  private static final int PARENT_MODE = 0755;

  private final Map<String, Entry> entries = new TreeMap<>();

  FakeFiles() {
    entries.put("/", new Entry(Kind.DIRECTORY, new byte[0], 0, 0, 0755));
  }

  void requireParent(String container, String path) {
    Entry parent = entries.get(parent(normalized(path)));
    if (parent == null || parent.kind() != Kind.DIRECTORY) {
      throw new NotFoundException(
          path + " in container " + container + ": its parent directory is missing");
    }
  }

  void putFile(String container, String path, byte[] content, int uid, int gid, int mode) {
    String p = normalized(path);
    Entry there = entries.get(p);
    if (there != null && there.kind() == Kind.DIRECTORY) {
      throw new ConflictException(
          "cannot write the file " + path + " in " + container + ": it is a directory");
    }
    entries.put(p, new Entry(Kind.FILE, content.clone(), uid, gid, mode));
  }

  Optional<byte[]> content(String path) {
    String p = normalized(path);
    Entry entry = entries.get(p);
    if (entry != null && entry.kind() == Kind.SYMLINK) {
      p = resolve(p, entry);
      entry = entries.get(p);
    }
    return entry != null && entry.kind() == Kind.FILE
        ? Optional.of(entry.content().clone())
        : Optional.empty();
  }

  Optional<String> ownerAndMode(String path) {
    return Optional.ofNullable(entries.get(normalized(path)))
        .map(e -> e.uid() + ":" + e.gid() + ":" + Integer.toOctalString(e.mode()));
  }

  void pushTree(String container, Path source, String target, int uid, int gid) {
    String to = normalized(target);
    Path real;
    try {
      real = source.toRealPath();
    } catch (IOException e) {
      throw new CoiException("cannot push " + source + " to " + container + ": " + e, e);
    }
    ensureDirectory(container, parent(to), uid, gid, PARENT_MODE);
    if (Files.isDirectory(real)) {
      pushDirectory(container, real, to, uid, gid);
    } else {
      putFile(container, to, read(real), uid, gid, mode(real));
    }
  }

  private void pushDirectory(String container, Path dir, String target, int uid, int gid) {
    ensureDirectory(container, target, uid, gid, mode(dir));
    for (Path child : children(dir)) {
      String to = child(target, child.getFileName().toString());
      BasicFileAttributes attributes = attributes(child);
      if (attributes.isSymbolicLink()) {
        try {
          byte[] link = Files.readSymbolicLink(child).toString().getBytes();
          entries.put(to, new Entry(Kind.SYMLINK, link, 0, 0, 0777));
        } catch (IOException e) {
          throw new CoiException("cannot read the symlink " + child + ": " + e, e);
        }
      } else if (attributes.isDirectory()) {
        pushDirectory(container, child, to, uid, gid);
      } else if (attributes.isRegularFile()) {
        putFile(container, to, read(child), uid, gid, mode(child));
      }
    }
  }

  /** Makes the directory and its missing parents; one already there keeps its owner and mode. */
  private void ensureDirectory(String container, String dir, int uid, int gid, int mode) {
    Entry there = entries.get(dir);
    if (there != null) {
      if (there.kind() != Kind.DIRECTORY) {
        throw new ConflictException(
            "cannot push into " + dir + " in " + container + ": it is not a directory");
      }
      return;
    }
    ensureDirectory(container, parent(dir), uid, gid, PARENT_MODE);
    entries.put(dir, new Entry(Kind.DIRECTORY, new byte[0], uid, gid, mode));
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
    String from = normalized(source);
    Entry top = entries.get(from);
    if (top != null && top.kind() == Kind.SYMLINK) {
      from = resolve(from, top);
      top = entries.get(from);
    }
    if (top == null) {
      throw new NotFoundException(
          source + " in container " + container + ": no such file or directory");
    }
    try {
      Path parent = target.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Path hostRoot = target.toAbsolutePath();
      write(from, hostRoot, from, top, target);
    } catch (IOException e) {
      throw new CoiException("cannot pull " + source + " to " + target + ": " + e, e);
    }
  }

  /**
   * Writes one entry of the tree {@code root} (pulled to {@code hostRoot}) to the host. A link is
   * made only when it leads to an entry of the tree, as a relative link to the same entry; the text
   * of a link out of the tree never reaches the host (as Incus's backend refuses it).
   */
  private void write(String root, Path hostRoot, String path, Entry entry, Path target)
      throws IOException {
    switch (entry.kind()) {
      case DIRECTORY:
        Files.createDirectory(target);
        for (String name : childNames(path)) {
          String child = child(path, name);
          write(root, hostRoot, child, entries.get(child), target.resolve(name));
        }
        setMode(target, entry.mode());
        break;
      case SYMLINK:
        String to = resolve(path, entry);
        String prefix = root.equals("/") ? "/" : root + "/";
        if (!to.equals(root) && !to.startsWith(prefix)) {
          throw new CoiException(
              "cannot pull " + path + ": a symlink to " + to + ", outside " + root);
        }
        Path hostTarget = hostRoot.resolve(to.equals(root) ? "" : to.substring(prefix.length()));
        Files.createSymbolicLink(target, target.getParent().relativize(hostTarget));
        break;
      default:
        Files.write(target, entry.content());
        setMode(target, entry.mode());
    }
  }

  private List<String> childNames(String dir) {
    String prefix = dir.equals("/") ? "/" : dir + "/";
    List<String> names = new ArrayList<>();
    for (String path : entries.keySet()) {
      if (path.startsWith(prefix) && path.length() > prefix.length()) {
        String rest = path.substring(prefix.length());
        if (!rest.contains("/")) {
          names.add(rest);
        }
      }
    }
    return names;
  }

  private static String resolve(String link, Entry entry) {
    String text = new String(entry.content());
    return normalized(text.startsWith("/") ? text : child(parent(link), text));
  }

  static String normalized(String path) {
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("a path in a container must be absolute, not " + path);
    }
    String p = Path.of(path).normalize().toString();
    return p.isEmpty() ? "/" : p;
  }

  private static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash <= 0 ? "/" : path.substring(0, slash);
  }

  private static String child(String dir, String name) {
    return dir.equals("/") ? "/" + name : dir + "/" + name;
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new CoiException("cannot read " + file + ": " + e, e);
    }
  }

  private static List<Path> children(Path dir) {
    try (Stream<Path> list = Files.list(dir)) {
      return list.sorted().collect(Collectors.toList());
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

  private static int mode(Path path) {
    try {
      int mode = 0;
      for (PosixFilePermission p : Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS)) {
        mode |= 0400 >> p.ordinal();
      }
      return mode;
    } catch (IOException e) {
      throw new CoiException("cannot read the mode of " + path + ": " + e, e);
    }
  }

  static void setMode(Path path, int mode) throws IOException {
    Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
    for (PosixFilePermission p : PosixFilePermission.values()) {
      if ((mode & (0400 >> p.ordinal())) != 0) {
        permissions.add(p);
      }
    }
    Files.setPosixFilePermissions(path, permissions);
  }
}
