package dev.coi.tck;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A host tree as text, to show that an attack changed nothing: each path under a root (the root
 * itself left out) with its type, a hash of its content or a link's text, its mode, owner and
 * modification time. Never follows a link.
 */
public final class HostSnapshot {
  private HostSnapshot() {}

  /** Every path under {@code root}, but those {@code skip} accepts. */
  public static Map<String, String> of(Path root, Predicate<Path> skip) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        if (p.equals(root) || skip.test(p)) {
          continue;
        }
        String what =
            Files.isSymbolicLink(p)
                ? "link " + Files.readSymbolicLink(p)
                : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir" : "file " + sha256(p);
        out.put(
            root.relativize(p).toString(),
            what
                + " "
                + PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS))
                + " "
                + Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)
                + ":"
                + Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS)
                + " "
                + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS));
      }
    }
    return out;
  }

  /** Every path under {@code root}. */
  public static Map<String, String> of(Path root) throws IOException {
    return of(root, p -> false);
  }

  private static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
