package dev.coi.cli;

import dev.coi.api.CoiException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code coi doctor --fix}'s edit of {@code /etc/subuid} and {@code /etc/subgid}: a line {@code
 * root:ID:1} for each id Incus must map into containers (the user who ran sudo, the current
 * directory's owner) that no root line covers yet. Both files are checked before either is written,
 * so a malformed one leaves both as they were.
 */
final class SubidFix {
  /**
   * Points at a directory holding {@code subuid} and {@code subgid} instead of {@code /etc}; for
   * tests only, which must not edit the machine's files. The engine reads the same variable.
   */
  static final String TEST_DIRECTORY = "COI_TEST_SUBID_DIR";

  /** What shadow-utils reads: a name or uid, a first id, a count; blank lines are skipped. */
  private static final Pattern LINE = Pattern.compile("[^:\\s]+:[0-9]{1,10}:[0-9]{1,10}");

  private final Path subuid;
  private final Path subgid;

  SubidFix(Map<String, String> environment) {
    Path dir = Path.of(environment.getOrDefault(TEST_DIRECTORY, "/etc"));
    this.subuid = dir.resolve("subuid");
    this.subgid = dir.resolve("subgid");
  }

  /** The ids to delegate: the sudo user's, then the directory owner's, 0 and 1000 left out. */
  static Set<Long> uids(Map<String, String> environment, long ownerUid) {
    return wanted(environment, "SUDO_UID", null, ownerUid);
  }

  static Set<Long> gids(Map<String, String> environment, long ownerGid) {
    return wanted(environment, "SUDO_GID", "SUDO_UID", ownerGid);
  }

  private static Set<Long> wanted(
      Map<String, String> environment, String variable, String fallback, long owner) {
    Set<Long> ids = new LinkedHashSet<>();
    String sudo = environment.get(variable);
    if (sudo == null && fallback != null) {
      variable = fallback;
      sudo = environment.get(fallback);
    }
    if (sudo != null) {
      if (!sudo.matches("[0-9]{1,10}") || Long.parseLong(sudo) > 4294967294L) {
        throw new CoiException(
            variable + " is '" + sudo + "', not a user id: run coi doctor --fix with sudo");
      }
      ids.add(Long.parseLong(sudo));
    }
    ids.add(owner);
    // Root's own id is always allowed, and 1000 is the agent's, which needs no mapping.
    ids.removeIf(id -> id == 0 || id == 1000);
    return ids;
  }

  /**
   * Appends the missing lines and returns one message per line added. Refuses, changing nothing,
   * when either file has a line that is not {@code NAME:START:COUNT} or is not a plain file.
   */
  List<String> apply(Set<Long> uids, Set<Long> gids) {
    List<String> uidLines = missing(subuid, uids);
    List<String> gidLines = missing(subgid, gids);
    List<String> done = new ArrayList<>();
    append(subuid, uidLines, done);
    append(subgid, gidLines, done);
    return done;
  }

  private static List<String> missing(Path file, Set<Long> ids) {
    List<String> lines;
    try {
      if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)
          && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new CoiException(
            file + " is not a plain file: make it one (see man subuid); nothing was changed");
      }
      lines = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
    } catch (IOException e) {
      throw new CoiException("cannot read " + file + ": " + e.getMessage() + "; nothing changed");
    }
    List<long[]> rootRanges = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      if (!LINE.matcher(line).matches()) {
        throw new CoiException(
            file
                + " line "
                + (i + 1)
                + " is not NAME:START:COUNT: fix or remove it (see man subuid); nothing was changed");
      }
      String[] parts = line.split(":");
      if (parts[0].equals("root") || parts[0].equals("0")) {
        rootRanges.add(new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2])});
      }
    }
    List<String> add = new ArrayList<>();
    for (long id : ids) {
      if (rootRanges.stream().noneMatch(r -> id >= r[0] && id < r[0] + r[1])) {
        add.add("root:" + id + ":1");
      }
    }
    return add;
  }

  private static void append(Path file, List<String> lines, List<String> done) {
    if (lines.isEmpty()) {
      return;
    }
    try {
      // A file that does not end its last line gets the newline it lacks first.
      boolean newline =
          Files.exists(file)
              && Files.size(file) > 0
              && !Files.readString(file, StandardCharsets.UTF_8).endsWith("\n");
      String text = (newline ? "\n" : "") + String.join("\n", lines) + "\n";
      Files.writeString(
          file,
          text,
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND,
          LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new CoiException("cannot write " + file + ": " + e.getMessage());
    }
    lines.forEach(line -> done.add("added " + line + " to " + file));
  }
}
