package dev.coi.incus;

import dev.coi.api.value.ValueStyle;
import dev.coi.incus.transport.HttpResponse;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.immutables.value.Value;

/**
 * What the daemon says of a path in an instance: its type, owner, permission bits and size. Owners
 * are the instance's own uids and gids (1000 is the container user, whatever it maps to on the
 * host).
 */
@Value.Immutable
@ValueStyle
public abstract class FileInfo {
  /** Incus knows three kinds of entries; anything else (a fifo, a device) shows as a file. */
  public enum Type {
    FILE,
    DIRECTORY,
    SYMLINK
  }

  // Go's time.String(): "2026-11-27 03:26:32 +0000 UTC", with fractional seconds when there are
  // any.
  private static final DateTimeFormatter GO_TIME =
      new DateTimeFormatterBuilder()
          .appendPattern("yyyy-MM-dd HH:mm:ss")
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true)
          .optionalEnd()
          .appendPattern(" xx")
          .toFormatter(Locale.ROOT);

  FileInfo() {}

  /** The path in the instance, as asked for. */
  public abstract String path();

  public abstract Type type();

  public abstract int uid();

  public abstract int gid();

  /** The permission bits, such as {@code 0640}; see {@link #octalMode()}. */
  public abstract int mode();

  /** The size in bytes of a file; 0 for a directory or a symlink (Incus reports none for them). */
  public abstract long size();

  /** When the entry last changed, when the daemon said. */
  public abstract Optional<Instant> modified();

  public boolean isFile() {
    return type() == Type.FILE;
  }

  public boolean isDirectory() {
    return type() == Type.DIRECTORY;
  }

  public boolean isSymlink() {
    return type() == Type.SYMLINK;
  }

  /** The mode as Incus writes it: four octal digits, {@code "0640"}. */
  public String octalMode() {
    return String.format(Locale.ROOT, "%04o", mode());
  }

  /** The permission bits as the host's file system takes them, to give a pulled file its mode. */
  public java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions() {
    java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions =
        java.util.EnumSet.noneOf(java.nio.file.attribute.PosixFilePermission.class);
    for (java.nio.file.attribute.PosixFilePermission p :
        java.nio.file.attribute.PosixFilePermission.values()) {
      // The enum runs from OWNER_READ (0400) to OTHERS_EXECUTE (0001).
      if ((mode() & (0400 >> p.ordinal())) != 0) {
        permissions.add(p);
      }
    }
    return permissions;
  }

  /** The permission bits of a host file's permissions, such as {@code 0640}, to push it with. */
  public static int modeOf(java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions) {
    int mode = 0;
    for (java.nio.file.attribute.PosixFilePermission p : permissions) {
      mode |= 0400 >> p.ordinal();
    }
    return mode;
  }

  /** The info in the {@code X-Incus-*} headers of a file GET or HEAD. */
  static FileInfo fromHeaders(String path, HttpResponse response, long size) {
    return fromHeaders(path, response::header, size);
  }

  /** As above, the headers looked up by name (any case). */
  static FileInfo fromHeaders(String path, UnaryOperator<String> response, long size) {
    String type = String.valueOf(response.apply("X-Incus-Type"));
    return ImmutableFileInfo.builder()
        .path(path)
        .type(Type.valueOf(type.toUpperCase(Locale.ROOT)))
        .uid(Integer.parseInt(headerOr(response, "X-Incus-Uid", "0")))
        .gid(Integer.parseInt(headerOr(response, "X-Incus-Gid", "0")))
        .mode(Integer.parseInt(headerOr(response, "X-Incus-Mode", "0"), 8))
        .size(size)
        .modified(parseModified(response.apply("X-Incus-Modified")))
        .build();
  }

  private static String headerOr(UnaryOperator<String> response, String name, String fallback) {
    String value = response.apply(name);
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  static Optional<Instant> parseModified(String value) {
    if (value == null) {
      return Optional.empty();
    }
    // Drop the zone abbreviation after the numeric offset: the offset says it all.
    String[] parts = value.trim().split(" ");
    if (parts.length < 3) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          OffsetDateTime.parse(parts[0] + " " + parts[1] + " " + parts[2], GO_TIME).toInstant());
    } catch (DateTimeParseException unknownFormat) {
      return Optional.empty();
    }
  }
}
