package dev.coi.hostfs;

import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * One entry of a directory as {@code lstat} saw it: links are reported, never followed.
 *
 * @param name the entry's name in its directory
 * @param type what it is
 * @param permissions its permission bits
 * @param size its size in bytes (a file's; 0 for others)
 * @param modified its modification time
 */
public record Entry(
    String name, Type type, Set<PosixFilePermission> permissions, long size, FileTime modified) {

  /** The kinds of entry; fifos, sockets and devices are all {@link #OTHER}, never opened. */
  public enum Type {
    FILE,
    DIRECTORY,
    SYMLINK,
    OTHER
  }

  static Entry of(String name, PosixFileAttributes attrs) {
    Type type =
        attrs.isSymbolicLink()
            ? Type.SYMLINK
            : attrs.isDirectory() ? Type.DIRECTORY : attrs.isRegularFile() ? Type.FILE : Type.OTHER;
    return new Entry(
        name,
        type,
        attrs.permissions(),
        type == Type.FILE ? attrs.size() : 0,
        attrs.lastModifiedTime());
  }

  public boolean isFile() {
    return type == Type.FILE;
  }

  public boolean isDirectory() {
    return type == Type.DIRECTORY;
  }

  public boolean isSymlink() {
    return type == Type.SYMLINK;
  }
}
