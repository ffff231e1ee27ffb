package dev.coi.hostfs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An open directory on the host whose entries an untrusted container may change at any moment.
 * Every operation names one entry of this directory and works relative to the open handle ({@code
 * openat}, {@code mkdirat}, {@code unlinkat}, {@code renameat}), never by a path checked earlier,
 * and never follows a symbolic link: a link is reported as a link, and an entry swapped for a link
 * between two steps makes the second step fail instead of reaching the link's target. Fifos,
 * sockets and devices are never opened.
 *
 * <pre>{@code
 * try (HostDir live = HostDir.open(sessionsDir.resolve(".live/abc/claude"))) {
 *   live.write("settings.json", json, HostDir.PRIVATE_FILE); // replaces a planted link, never follows it
 * }
 * }</pre>
 *
 * <p>Linux only: the JDK's {@link SecureDirectoryStream} gives the relative opens, and {@code
 * /proc/self/fd} the relative creation of directories and links, which the JDK lacks.
 */
public final class HostDir implements AutoCloseable {
  /** 0700: what coi gives every directory it creates. */
  public static final Set<PosixFilePermission> PRIVATE_DIRECTORY =
      PosixFilePermissions.fromString("rwx------");

  /** 0600: what coi gives every file it creates, from its first byte. */
  public static final Set<PosixFilePermission> PRIVATE_FILE =
      PosixFilePermissions.fromString("rw-------");

  private final SecureDirectoryStream<Path> dir;
  private final Path path;
  private final ProcPath proc;

  private HostDir(SecureDirectoryStream<Path> dir, Path path) {
    this.dir = dir;
    this.path = path;
    this.proc = new ProcPath(dir, path);
  }

  /**
   * Opens a directory the caller trusts by path (its own, such as {@code sessions_dir}, or a real
   * path it resolved before the container could change it); links in {@code trusted} itself are
   * followed, nothing below it ever is.
   */
  public static HostDir open(Path trusted) throws IOException {
    DirectoryStream<Path> stream = Files.newDirectoryStream(trusted);
    if (!(stream instanceof SecureDirectoryStream)) {
      stream.close();
      throw new IOException("cannot work on " + trusted + " safely: the platform lacks openat");
    }
    return new HostDir((SecureDirectoryStream<Path>) stream, trusted);
  }

  /**
   * Opens a directory following no link on any component, from the file system's root: for a path
   * that lies in a tree the container can write, such as a directory of the workspace. A link on
   * the way is refused with a {@link FileSystemException} naming it.
   */
  public static HostDir openNoFollow(Path path) throws IOException {
    Path absolute = path.toAbsolutePath().normalize();
    HostDir current = open(absolute.getRoot());
    try {
      for (Path name : absolute) {
        HostDir next = current.directory(name.toString());
        current.close();
        current = next;
      }
      return current;
    } catch (IOException | RuntimeException e) {
      current.close();
      throw e;
    }
  }

  /** The path this directory was opened by, for messages; never used to reach it. */
  public Path path() {
    return path;
  }

  /** The entries of this directory, as {@code lstat} sees them. */
  public List<Entry> list() throws IOException {
    List<String> names = new ArrayList<>();
    for (Path entry : dir) {
      names.add(entry.getFileName().toString());
    }
    names.sort(null);
    List<Entry> entries = new ArrayList<>();
    for (String name : names) {
      stat(name).ifPresent(entries::add);
    }
    return entries;
  }

  /** One entry, never following a link; empty when nothing has that name. */
  public Optional<Entry> stat(String name) throws IOException {
    Path n = name(name);
    try {
      return Optional.of(
          Entry.of(
              name,
              dir.getFileAttributeView(n, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                  .readAttributes()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** This directory itself. */
  public Entry stat() throws IOException {
    return Entry.of(
        String.valueOf(path.getFileName()),
        dir.getFileAttributeView(PosixFileAttributeView.class).readAttributes());
  }

  /**
   * Opens the directory {@code name}, refusing a link. A directory its owner (this process) made
   * unreadable ({@code chmod 000}) is opened up to 0700 first.
   */
  public HostDir directory(String name) throws IOException {
    return directory(name, true);
  }

  /**
   * Opens the directory {@code name}, refusing a link, and changing nothing: one that cannot be
   * read is an {@link AccessDeniedException}. For a scan that only looks.
   */
  public HostDir directoryAsIs(String name) throws IOException {
    return directory(name, false);
  }

  private HostDir directory(String name, boolean openUp) throws IOException {
    Path n = name(name);
    Optional<Entry> entry = stat(name);
    if (entry.isPresent() && entry.get().isSymlink()) {
      throw new FileSystemException(
          path.resolve(name).toString(), null, "a symbolic link, never followed");
    }
    if (entry.isPresent() && !entry.get().isDirectory()) {
      throw new NotDirectoryException(path.resolve(name).toString());
    }
    try {
      return new HostDir(
          Guard.open(dir, n, () -> dir.newDirectoryStream(n, LinkOption.NOFOLLOW_LINKS)),
          path.resolve(name));
    } catch (AccessDeniedException e) {
      if (!openUp) {
        throw e;
      }
      proc.unlock(n);
      return new HostDir(
          Guard.open(dir, n, () -> dir.newDirectoryStream(n, LinkOption.NOFOLLOW_LINKS)),
          path.resolve(name));
    } catch (IOException e) {
      throw refusedLink(name, e);
    }
  }

  /** Opens or creates (0700) each directory of a relative path, following no link. */
  public HostDir directories(Path relative) throws IOException {
    HostDir current = null;
    try {
      for (Path name : relative) {
        HostDir from = current == null ? this : current;
        HostDir next =
            from.stat(name.toString()).isPresent()
                ? from.directory(name.toString())
                : from.createDirectory(name.toString(), PRIVATE_DIRECTORY);
        if (current != null) {
          current.close();
        }
        current = next;
      }
      if (current == null) {
        throw new IllegalArgumentException("no directory named in '" + relative + "'");
      }
      return current;
    } catch (IOException | RuntimeException e) {
      if (current != null) {
        current.close();
      }
      throw e;
    }
  }

  /** Creates the directory {@code name} with {@code mode} (at creation) and opens it. */
  public HostDir createDirectory(String name, Set<PosixFilePermission> mode) throws IOException {
    Path n = name(name);
    Files.createDirectory(proc.entry(n), PosixFilePermissions.asFileAttribute(mode));
    return directory(name);
  }

  /**
   * The content of the file {@code name}, at most {@code max} bytes; a link, a directory, a fifo or
   * a larger file is refused with an {@link IOException} saying which.
   */
  public byte[] read(String name, long max) throws IOException {
    try (SeekableByteChannel in = openFile(name)) {
      long size = in.size();
      if (size > max) {
        throw new FileSystemException(
            path.resolve(name).toString(), null, "larger than " + max + " bytes");
      }
      ByteBuffer buffer = ByteBuffer.allocate((int) size);
      while (buffer.hasRemaining() && in.read(buffer) > 0) {
        // until full or at its end
      }
      return buffer.position() == buffer.capacity()
          ? buffer.array()
          : java.util.Arrays.copyOf(buffer.array(), buffer.position());
    }
  }

  /** A stream of the file {@code name}; a link, a directory or a fifo is refused. */
  public InputStream newInputStream(String name) throws IOException {
    return Channels.newInputStream(openFile(name));
  }

  /**
   * Opens the regular file {@code name} for reading; anything else (a link, a fifo swapped in after
   * a look) is refused with an {@link IOException}.
   */
  public SeekableByteChannel openFile(String name) throws IOException {
    Path n = name(name);
    SeekableByteChannel channel;
    try {
      channel =
          Guard.open(
              dir,
              n,
              () ->
                  dir.newByteChannel(
                      n, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)));
    } catch (IOException e) {
      throw refusedLink(name, e);
    }
    try {
      channel.position(0); // a fifo or socket cannot seek: it is not a file to copy
      if (channel.size() < 0) {
        throw new IOException("unreachable");
      }
      return channel;
    } catch (IOException e) {
      channel.close();
      throw new FileSystemException(path.resolve(name).toString(), null, "not a regular file");
    }
  }

  /**
   * Creates the file {@code name}, which must not exist, with {@code mode} from its first byte, and
   * opens it for writing.
   */
  public SeekableByteChannel createFile(String name, Set<PosixFilePermission> mode)
      throws IOException {
    Path n = name(name);
    Set<OpenOption> options =
        Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    return dir.newByteChannel(n, options, PosixFilePermissions.asFileAttribute(mode));
  }

  /** As {@link #createFile}, as a stream. */
  public OutputStream newOutputStream(String name, Set<PosixFilePermission> mode)
      throws IOException {
    return Channels.newOutputStream(createFile(name, mode));
  }

  /**
   * Writes the file {@code name} whole, with {@code mode} from its first byte, forced to disk, and
   * puts it in place in one rename: whatever was there (a file, or a link planted to lead the write
   * elsewhere) is replaced, never written through. A directory there is refused.
   */
  public void write(String name, byte[] content, Set<PosixFilePermission> mode) throws IOException {
    replace(name, mode, out -> out.write(content));
  }

  /** As {@link #write}, with the content from a stream. */
  public void write(String name, InputStream content, Set<PosixFilePermission> mode)
      throws IOException {
    replace(name, mode, content::transferTo);
  }

  private interface Writer {
    void write(OutputStream out) throws IOException;
  }

  private void replace(String name, Set<PosixFilePermission> mode, Writer writer)
      throws IOException {
    Path n = name(name);
    String temporary = ".coi-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    try {
      try (SeekableByteChannel channel = createFile(temporary, mode);
          OutputStream out = Channels.newOutputStream(channel)) {
        writer.write(out);
        if (channel instanceof java.nio.channels.FileChannel) {
          ((java.nio.channels.FileChannel) channel).force(true);
        }
      }
      Optional<Entry> there = stat(name);
      if (there.isPresent() && there.get().isDirectory()) {
        throw new FileSystemException(path.resolve(name).toString(), null, "a directory");
      }
      dir.move(Path.of(temporary), dir, n); // renameat: replaces a link, never follows it
    } finally {
      try {
        dir.deleteFile(Path.of(temporary));
      } catch (NoSuchFileException moved) {
        // in place
      }
    }
  }

  /** Makes the symbolic link {@code name} with the text {@code target}; it is never followed. */
  public void symlink(String name, String target) throws IOException {
    Files.createSymbolicLink(proc.entry(name(name)), Path.of(target));
  }

  /** The text of the symbolic link {@code name}. */
  public String readLink(String name) throws IOException {
    return Files.readSymbolicLink(proc.entry(name(name))).toString();
  }

  /**
   * Renames the entry {@code name} to {@code newName} in this directory, replacing a file there.
   */
  public void rename(String name, String newName) throws IOException {
    dir.move(name(name), dir, name(newName));
  }

  /**
   * Deletes the entry {@code name}: a file, a link (never what it leads to), or a directory and all
   * it holds, opening up directories made unreadable; nothing when it is not there.
   */
  public void delete(String name) throws IOException {
    Path n = name(name);
    for (int attempt = 0; ; attempt++) {
      Optional<Entry> entry = stat(name);
      if (entry.isEmpty()) {
        return;
      }
      try {
        if (entry.get().isDirectory()) {
          try (HostDir child = directory(name)) {
            child.clear();
          }
          dir.deleteDirectory(n);
        } else {
          dir.deleteFile(n);
        }
        return;
      } catch (NoSuchFileException gone) {
        return;
      } catch (FileSystemException changed) {
        // Swapped for something else between the look and the deletion: look again.
        if (attempt >= 20) {
          throw changed;
        }
      }
    }
  }

  /** Deletes everything in this directory. */
  public void clear() throws IOException {
    for (Entry entry : list()) {
      delete(entry.name());
    }
  }

  /** Sets this directory's permission bits (through its own handle). */
  public void setPermissions(Set<PosixFilePermission> mode) throws IOException {
    dir.getFileAttributeView(PosixFileAttributeView.class).setPermissions(mode);
  }

  /** Sets the permission bits of the regular file {@code name}; anything else is refused. */
  public void setPermissions(String name, Set<PosixFilePermission> mode) throws IOException {
    Path n = name(name);
    Optional<Entry> entry = stat(name);
    if (entry.isEmpty() || !entry.get().isFile()) {
      throw new FileSystemException(path.resolve(name).toString(), null, "not a regular file");
    }
    try {
      Guard.open(
          dir,
          n,
          () -> {
            dir.getFileAttributeView(n, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setPermissions(mode);
            return null;
          });
    } catch (IOException e) {
      throw refusedLink(name, e);
    }
  }

  /** Sets this directory's modification time. */
  public void setModified(FileTime time) throws IOException {
    dir.getFileAttributeView(BasicFileAttributeView.class).setTimes(time, null, null);
  }

  /** Sets the modification time of the regular file {@code name}. */
  public void setModified(String name, FileTime time) throws IOException {
    Path n = name(name);
    Guard.open(
        dir,
        n,
        () -> {
          dir.getFileAttributeView(n, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
              .setTimes(time, null, null);
          return null;
        });
  }

  /** Gives this directory to {@code uid:gid}. */
  public void chown(int uid, int gid) throws IOException {
    // "." of the handle: lchown of the /proc entry itself would change the magic link, not this.
    ProcPath.owner(proc.entry(Path.of(".")), uid, gid);
  }

  /** Gives the entry {@code name} (a link itself, never its target) to {@code uid:gid}. */
  public void chown(String name, int uid, int gid) throws IOException {
    ProcPath.owner(proc.entry(name(name)), uid, gid);
  }

  /** Forces this directory's entries to disk, so that a rename in it survives a power cut. */
  public void force() {
    try (java.nio.channels.FileChannel channel =
        java.nio.channels.FileChannel.open(proc.get(), StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Then a rename in it is merely less durable.
    }
  }

  @Override
  public void close() throws IOException {
    dir.close();
  }

  private IOException refusedLink(String name, IOException e) throws IOException {
    Optional<Entry> now = stat(name);
    if (now.isPresent() && now.get().isSymlink()) {
      return new FileSystemException(
          path.resolve(name).toString(), null, "a symbolic link, never followed");
    }
    return e;
  }

  /** One path segment: a name in this directory, never a path leading elsewhere. */
  private static Path name(String name) {
    if (name.isEmpty()
        || name.equals(".")
        || name.equals("..")
        || name.indexOf('/') >= 0
        || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("not a name in a directory: '" + name + "'");
    }
    return Path.of(name);
  }
}
