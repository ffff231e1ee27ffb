package dev.coi.core.internal;

import dev.coi.api.InvalidSpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether the local Incus daemon may map a host user into a container. {@code raw.idmap} works only
 * for ids delegated to root in {@code /etc/subuid} and {@code /etc/subgid}; otherwise the container
 * fails to start with an opaque {@code forkstart} error, so coi says so before creating anything.
 */
final class IdDelegation {
  private final Path subuid;
  private final Path subgid;

  IdDelegation(Path subuid, Path subgid) {
    this.subuid = subuid;
    this.subgid = subgid;
  }

  /** Judges nothing: for tests, and where the daemon is left to decide. */
  static IdDelegation notChecked() {
    return new IdDelegation(Path.of("/nonexistent/subuid"), Path.of("/nonexistent/subgid"));
  }

  /**
   * The machine's files; {@code COI_TEST_SUBID_DIR} names a directory of copies instead, for tests
   * of {@code coi doctor --fix}, which must not edit the machine's.
   */
  static IdDelegation ofThisHost() {
    Path dir = Path.of(System.getenv().getOrDefault("COI_TEST_SUBID_DIR", "/etc"));
    return new IdDelegation(dir.resolve("subuid"), dir.resolve("subgid"));
  }

  /**
   * Throws when the workspace's owner cannot be mapped. Machines without the files (or where they
   * cannot be read) are not judged: the daemon decides there.
   */
  void check(Path workspace, Workspaces.Owner owner) {
    boolean uid = delegated(subuid, owner.uid());
    boolean gid = delegated(subgid, owner.gid());
    if (uid && gid) {
      return;
    }
    StringBuilder fix = new StringBuilder();
    if (!uid) {
      fix.append("add root:").append(owner.uid()).append(":1 to ").append(subuid);
    }
    if (!gid) {
      fix.append(uid ? "add " : " and ")
          .append("root:")
          .append(owner.gid())
          .append(":1 to ")
          .append(subgid);
    }
    throw new InvalidSpecException(
        "workspace "
            + workspace
            + " is owned by "
            + owner.uid()
            + ":"
            + owner.gid()
            + ", which Incus may not map into a container: "
            + fix
            + ", or give the workspace to uid 1000");
  }

  private static boolean delegated(Path file, int id) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException | SecurityException unreadable) {
      return true;
    }
    for (String line : lines) {
      String[] parts = line.strip().split(":");
      if (parts.length != 3 || !(parts[0].equals("root") || parts[0].equals("0"))) {
        continue;
      }
      try {
        long start = Long.parseLong(parts[1]);
        long count = Long.parseLong(parts[2]);
        if (id >= start && id < start + count) {
          return true;
        }
      } catch (NumberFormatException malformed) {
        // Not a range; the daemon skips such lines as well.
      }
    }
    return false;
  }
}
