package dev.coi.core.config;

import dev.coi.api.ConfigException;
import dev.coi.api.Mount;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Reads one configuration file into a {@link Layer}, checking every key and type on the way, so
 * that each mistake is reported with the file, line and column where it is. Keys are looked up as
 * lists of parts, never as dotted strings, so that a quoted key with a dot stays one key.
 */
final class TomlLayer {
  private static final List<String> SECTIONS =
      List.of("defaults", "paths", "incus", "agent", "limits", "security");
  private static final List<String> MOUNT_KEYS = List.of("source", "target", "readonly");
  private static final String ENV_NAME = "[A-Za-z_][A-Za-z0-9_]*";

  private final Path file;
  private final String label;
  private final ValueType.PathResolver paths;

  private TomlLayer(Path file, String kind, Path home) {
    this.file = file;
    this.label = kind + " file " + file;
    Path dir = file.toAbsolutePath().getParent();
    this.paths = new ValueType.PathResolver(dir == null ? file.toAbsolutePath() : dir, home);
  }

  /**
   * The layer a file gives; the caller has checked that it exists.
   *
   * @param kind "system", "user" or "project", for origins and messages
   */
  static Layer read(Path file, String kind, Path home) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(
          "cannot read " + kind + " config file " + file + ": " + reason(e), e);
    }
    TomlParseResult toml = Toml.parse(text);
    if (toml.hasErrors()) {
      TomlParseError first =
          toml.errors().stream()
              .min(
                  Comparator.comparingInt((TomlParseError e) -> e.position().line())
                      .thenComparingInt(e -> e.position().column()))
              .orElseThrow();
      throw new ConfigException(
          file
              + ":"
              + first.position().line()
              + ":"
              + first.position().column()
              + ": invalid TOML: "
              + first.getMessage());
    }
    return new TomlLayer(file, kind, home).root(toml);
  }

  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof CharacterCodingException) {
      return "not UTF-8 text";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private Layer root(TomlTable root) {
    Layer.Builder layer = Layer.builder();
    for (String key : root.keySet()) {
      Object value = root.get(List.of(key));
      TomlPosition at = root.inputPositionOf(List.of(key));
      if (SECTIONS.contains(key)) {
        section(table(value, key, at), key, key, layer, label);
      } else if (key.equals("mounts")) {
        mounts(value, key, at, layer, label);
      } else if (key.equals("environment")) {
        environment(table(value, key, at), key, layer, label);
      } else if (key.equals("profiles")) {
        profiles(table(value, key, at), layer);
      } else {
        List<String> known = new ArrayList<>(SECTIONS);
        known.addAll(List.of("mounts", "environment", "profiles"));
        throw unknown(at, key, key, known);
      }
    }
    return layer.build();
  }

  private void profiles(TomlTable profiles, Layer.Builder layer) {
    for (String name : profiles.keySet()) {
      String where = "profiles." + name;
      TomlPosition at = profiles.inputPositionOf(List.of(name));
      TomlTable table = table(profiles.get(List.of(name)), where, at);
      String origin = "profile " + name + ", " + label;
      Layer.Builder profile = Layer.builder();
      for (String key : table.keySet()) {
        Object value = table.get(List.of(key));
        TomlPosition keyAt = table.inputPositionOf(List.of(key));
        String dotted = where + "." + key;
        Optional<Key> shortForm = Key.byName("defaults." + key);
        if (SECTIONS.contains(key)) {
          section(table(value, dotted, keyAt), key, dotted, profile, origin);
        } else if (key.equals("mounts")) {
          mounts(value, dotted, keyAt, profile, origin);
        } else if (key.equals("environment")) {
          environment(table(value, dotted, keyAt), dotted, profile, origin);
        } else if (shortForm.isPresent()) {
          // The original tool's profiles hold [defaults] keys directly: image, persistent, ...
          put(profile, shortForm.get(), value, dotted, keyAt, origin);
        } else {
          List<String> known = new ArrayList<>();
          for (Key k : Key.values()) {
            if (k.section().equals("defaults")) {
              known.add(k.local());
            }
          }
          known.addAll(SECTIONS);
          known.addAll(List.of("mounts", "environment"));
          throw unknown(keyAt, dotted, key, known);
        }
      }
      layer.putProfile(name, profile.build());
    }
  }

  /**
   * A table of keys under {@code prefix} (a section, or a table within one such as incus.remote);
   * {@code shown} is how messages name it, {@code profiles.ci.defaults} within a profile.
   */
  private void section(
      TomlTable table, String prefix, String shown, Layer.Builder layer, String origin) {
    for (String local : table.keySet()) {
      String dotted = prefix + "." + local;
      Object value = table.get(List.of(local));
      TomlPosition at = table.inputPositionOf(List.of(local));
      Optional<Key> key = Key.byName(dotted);
      if (key.isPresent()) {
        put(layer, key.get(), value, shown + "." + local, at, origin);
      } else if (!childrenOf(dotted).isEmpty()) {
        section(table(value, shown + "." + local, at), dotted, shown + "." + local, layer, origin);
      } else {
        throw unknown(at, shown + "." + local, local, childrenOf(prefix));
      }
    }
  }

  private void put(
      Layer.Builder layer, Key key, Object raw, String dotted, TomlPosition at, String origin) {
    Object value;
    try {
      value = key.type().fromToml(raw, paths);
      key.check(value);
    } catch (ValueProblem problem) {
      throw error(at, dotted + " " + problem.getMessage());
    }
    Setting earlier = layer.value(key);
    if (earlier != null) {
      // Only a profile can say a key twice: image = … and [profiles.x.defaults] image = ….
      throw error(
          at, dotted + " is given twice in this profile (also at " + earlier.origin() + ")");
    }
    layer.put(key, new Setting(value, origin + ":" + at.line()));
  }

  private void mounts(
      Object value, String dotted, TomlPosition at, Layer.Builder layer, String origin) {
    if (!(value instanceof TomlArray)) {
      throw error(
          at, dotted + " must be an array of tables ([[mounts]]), not " + ValueType.nameOf(value));
    }
    TomlArray array = (TomlArray) value;
    for (int i = 0; i < array.size(); i++) {
      TomlPosition entryAt = array.inputPositionOf(i);
      if (!(array.get(i) instanceof TomlTable)) {
        throw error(
            entryAt,
            dotted
                + " must be an array of tables ([[mounts]]), not "
                + ValueType.nameOf(array.get(i)));
      }
      TomlTable mount = array.getTable(i);
      for (String key : mount.keySet()) {
        if (!MOUNT_KEYS.contains(key)) {
          throw unknown(mount.inputPositionOf(List.of(key)), dotted + "." + key, key, MOUNT_KEYS);
        }
      }
      Path source = (Path) mountValue(mount, "source", ValueType.PATH, dotted, entryAt);
      String target = (String) mountValue(mount, "target", ValueType.STRING, dotted, entryAt);
      TomlPosition targetAt = mount.inputPositionOf(List.of("target"));
      if (!target.startsWith("/")) {
        throw error(
            targetAt,
            dotted
                + ".target "
                + ValueType.quote(target)
                + " is relative: give an absolute path in the container");
      }
      String normalized = Path.of(target).normalize().toString();
      boolean readOnly =
          mount.contains(List.of("readonly"))
              && (Boolean) mountValue(mount, "readonly", ValueType.BOOLEAN, dotted, entryAt);
      Setting earlier = layer.mount(normalized);
      if (earlier != null) {
        throw error(
            targetAt,
            dotted
                + " target "
                + normalized
                + " is given twice (also at "
                + earlier.origin()
                + ")");
      }
      layer.putMount(
          normalized,
          new Setting(
              Mount.of(source, normalized).withReadOnly(readOnly), origin + ":" + entryAt.line()));
    }
  }

  private Object mountValue(
      TomlTable mount, String key, ValueType type, String dotted, TomlPosition entryAt) {
    if (!mount.contains(List.of(key))) {
      throw error(entryAt, "a " + dotted + " entry needs a " + key);
    }
    try {
      return type.fromToml(mount.get(List.of(key)), paths);
    } catch (ValueProblem problem) {
      throw error(
          mount.inputPositionOf(List.of(key)), dotted + "." + key + " " + problem.getMessage());
    }
  }

  private void environment(TomlTable table, String dotted, Layer.Builder layer, String origin) {
    for (String name : table.keySet()) {
      Object value = table.get(List.of(name));
      TomlPosition at = table.inputPositionOf(List.of(name));
      if (!name.matches(ENV_NAME)) {
        throw error(
            at,
            dotted
                + " variable name "
                + ValueType.quote(name)
                + " is invalid: use letters, digits and '_'");
      }
      if (!(value instanceof String)) {
        throw error(at, dotted + "." + name + " " + ValueType.STRING.wrongType(value).getMessage());
      }
      layer.putEnvironment(name, new Setting(value, origin + ":" + at.line()));
    }
  }

  private TomlTable table(Object value, String dotted, TomlPosition at) {
    if (value instanceof TomlTable) {
      return (TomlTable) value;
    }
    throw error(at, dotted + " must be a table ([" + dotted + "]), not " + ValueType.nameOf(value));
  }

  /** The names directly under a dotted prefix: for {@code incus}, project, group, …, remote. */
  private static List<String> childrenOf(String prefix) {
    Set<String> children = new LinkedHashSet<>();
    for (Key key : Key.values()) {
      if (key.dotted().startsWith(prefix + ".")) {
        String rest = key.dotted().substring(prefix.length() + 1);
        int dot = rest.indexOf('.');
        children.add(dot < 0 ? rest : rest.substring(0, dot));
      }
    }
    return new ArrayList<>(children);
  }

  private ConfigException unknown(
      TomlPosition at, String dotted, String local, List<String> known) {
    String hint =
        Suggestions.closest(local, known)
            .map(s -> "did you mean '" + s + "'?")
            .orElse("known keys here: " + String.join(", ", known));
    return error(at, "unknown key '" + dotted + "': " + hint);
  }

  private ConfigException error(TomlPosition at, String message) {
    return new ConfigException(file + ":" + at.line() + ":" + at.column() + ": " + message);
  }
}
