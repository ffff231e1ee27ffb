package dev.coi.core.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The host user's git identity ({@code user.name}, {@code user.email}) for a privileged session's
 * {@code ~/.gitconfig}, so that the agent's commits carry the user's name. Read from {@code
 * ~/.config/git/config} and then {@code ~/.gitconfig} (the later wins, as in git) with a small
 * parser of git's INI syntax: sections, quoted values, escapes and comments; {@code [include]}s and
 * subsections are not followed. Nothing else of the host's git configuration goes in.
 */
final class GitIdentity {
  private static final System.Logger LOG = System.getLogger(GitIdentity.class.getName());
  private static final List<String> KEYS = List.of("name", "email");

  private GitIdentity() {}

  /** The {@code .gitconfig} to write in the container; empty when the host has no identity. */
  static Optional<byte[]> gitconfig(Path home) {
    Map<String, String> identity = new LinkedHashMap<>();
    for (Path file : List.of(home.resolve(".config/git/config"), home.resolve(".gitconfig"))) {
      if (Files.isRegularFile(file)) {
        try {
          identity.putAll(read(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
          LOG.log(System.Logger.Level.DEBUG, "cannot read the git identity in " + file, e);
        }
      }
    }
    if (identity.isEmpty()) {
      return Optional.empty();
    }
    StringBuilder out = new StringBuilder("# The host user's git identity, copied in by coi.\n");
    out.append("[user]\n");
    for (String key : KEYS) {
      String value = identity.get(key);
      if (value != null) {
        out.append('\t').append(key).append(" = ").append(quote(value)).append('\n');
      }
    }
    return Optional.of(out.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** {@code user.name} and {@code user.email} from one file's text, by key; the last one wins. */
  static Map<String, String> read(String text) {
    Map<String, String> found = new LinkedHashMap<>();
    boolean inUser = false;
    for (String raw : text.split("\r?\n", -1)) {
      String line = raw.strip();
      if (line.startsWith("[")) {
        int end = line.indexOf(']');
        if (end < 0) {
          inUser = false;
          continue;
        }
        // "[user]" only: a subsection such as [user "x"] is another section.
        inUser = line.substring(1, end).strip().toLowerCase(Locale.ROOT).equals("user");
        line = line.substring(end + 1).strip(); // git allows "[user] name = x"
      }
      if (!inUser || line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String key = line.substring(0, eq).strip().toLowerCase(Locale.ROOT);
      if (KEYS.contains(key)) {
        String value = value(line.substring(eq + 1));
        if (!value.isEmpty()) {
          found.put(key, value);
        }
      }
    }
    return found;
  }

  /** A value as git reads it: quotes joined, escapes undone, a comment outside quotes cut off. */
  private static String value(String raw) {
    StringBuilder value = new StringBuilder();
    boolean quoted = false;
    int kept = 0; // length up to the last character that is not trailing blank outside quotes
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '"') {
        quoted = !quoted;
        kept = value.length();
        continue;
      }
      if (c == '\\' && i + 1 < raw.length()) {
        char next = raw.charAt(++i);
        value.append(next == 'n' ? '\n' : next == 't' ? '\t' : next == 'b' ? '\b' : next);
        kept = value.length();
        continue;
      }
      if (!quoted && (c == '#' || c == ';')) {
        break;
      }
      if (!quoted && Character.isWhitespace(c) && value.length() == 0) {
        continue;
      }
      value.append(c);
      if (quoted || !Character.isWhitespace(c)) {
        kept = value.length();
      }
    }
    return value.substring(0, kept);
  }

  private static String quote(String value) {
    return '"'
        + value
            .replace("\\", "\\\\")
            .replace("\"", "\\\"")
            .replace("\n", "\\n")
            .replace("\t", "\\t")
            .replace("\b", "\\b")
        + '"';
  }
}
