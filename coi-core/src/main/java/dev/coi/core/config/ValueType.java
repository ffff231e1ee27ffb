package dev.coi.core.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/**
 * The kinds of value a configuration key holds, each read from a TOML value or from the text of an
 * environment variable, and shown back in TOML syntax. Conversions throw {@link ValueProblem};
 * callers add where the value came from.
 */
enum ValueType {
  STRING("a string") {
    @Override
    Object fromToml(Object raw, PathResolver paths) {
      return ofType(raw, String.class);
    }
  },
  BOOLEAN("a boolean (true or false)") {
    @Override
    Object fromToml(Object raw, PathResolver paths) {
      return ofType(raw, Boolean.class);
    }

    @Override
    Object fromText(String text, PathResolver paths) {
      switch (text.trim().toLowerCase(Locale.ROOT)) {
        case "true":
        case "1":
        case "yes":
          return true;
        case "false":
        case "0":
        case "no":
          return false;
        default:
          throw new ValueProblem("must be " + description());
      }
    }
  },
  INTEGER("an integer") {
    @Override
    Object fromToml(Object raw, PathResolver paths) {
      if (raw instanceof Long) {
        long value = (Long) raw;
        if (value != (int) value) {
          throw new ValueProblem("is out of range: " + value);
        }
        return (int) value;
      }
      throw wrongType(raw);
    }

    @Override
    Object fromText(String text, PathResolver paths) {
      try {
        return Integer.parseInt(text.trim());
      } catch (NumberFormatException e) {
        throw new ValueProblem("must be " + description());
      }
    }
  },
  /** A host path: {@code ~} is the home directory, a relative path is relative to its source. */
  PATH("a path (a string)") {
    @Override
    Object fromToml(Object raw, PathResolver paths) {
      if (raw instanceof String) {
        return fromText((String) raw, paths);
      }
      throw wrongType(raw);
    }

    @Override
    Object fromText(String text, PathResolver paths) {
      if (text.isBlank()) {
        throw new ValueProblem("is empty: give a path");
      }
      return paths.resolve(text);
    }

    @Override
    String render(Object value) {
      return quote(value.toString());
    }
  },
  /** An environment variable holds the list separated by spaces. */
  STRING_LIST("an array of strings") {
    @Override
    Object fromToml(Object raw, PathResolver paths) {
      if (!(raw instanceof TomlArray)) {
        throw wrongType(raw);
      }
      TomlArray array = (TomlArray) raw;
      List<String> items = new ArrayList<>();
      for (int i = 0; i < array.size(); i++) {
        Object item = array.get(i);
        if (!(item instanceof String)) {
          throw new ValueProblem(
              "must be " + description() + ", but item " + (i + 1) + " is " + nameOf(item));
        }
        items.add((String) item);
      }
      return List.copyOf(items);
    }

    @Override
    Object fromText(String text, PathResolver paths) {
      return text.isBlank() ? List.of() : List.of(text.trim().split("\\s+"));
    }

    @Override
    String render(Object value) {
      List<String> items = new ArrayList<>();
      for (Object item : (List<?>) value) {
        items.add(quote(item.toString()));
      }
      return "[" + String.join(", ", items) + "]";
    }
  },
  /**
   * Host paths, each as {@link #PATH}; an environment variable separates them with {@code :}, as
   * {@code PATH} does, since a path may hold a space.
   */
  PATH_LIST("an array of paths (strings)") {
    @Override
    Object fromToml(Object raw, PathResolver paths) {
      List<Path> items = new ArrayList<>();
      for (Object item : (List<?>) STRING_LIST.fromToml(raw, paths)) {
        items.add((Path) PATH.fromText((String) item, paths));
      }
      return List.copyOf(items);
    }

    @Override
    Object fromText(String text, PathResolver paths) {
      List<Path> items = new ArrayList<>();
      for (String item : text.split(":")) {
        if (!item.isBlank()) {
          items.add((Path) PATH.fromText(item, paths));
        }
      }
      return List.copyOf(items);
    }

    @Override
    String render(Object value) {
      return STRING_LIST.render(value);
    }
  },
  /** Incus limits are strings ("2", "0-3", "4GiB"); a bare number is accepted as its text. */
  LIMIT("a string or an integer") {
    @Override
    Object fromToml(Object raw, PathResolver paths) {
      if (raw instanceof String || raw instanceof Long) {
        return raw.toString();
      }
      throw wrongType(raw);
    }
  };

  private final String description;

  ValueType(String description) {
    this.description = description;
  }

  /** What a user should write, for error messages: "a boolean (true or false)". */
  String description() {
    return description;
  }

  abstract Object fromToml(Object raw, PathResolver paths);

  /** The value of an environment variable's text; a string's is the text itself. */
  Object fromText(String text, PathResolver paths) {
    return text;
  }

  /** The value in TOML syntax. */
  String render(Object value) {
    return value instanceof String ? quote((String) value) : String.valueOf(value);
  }

  /** The TOML value as it is, when it is of {@code type}. */
  Object ofType(Object raw, Class<?> type) {
    if (type.isInstance(raw)) {
      return raw;
    }
    throw wrongType(raw);
  }

  ValueProblem wrongType(Object raw) {
    return new ValueProblem("must be " + description + ", not " + nameOf(raw));
  }

  /** The TOML name of a parsed value's type, as a user wrote it. */
  static String nameOf(Object raw) {
    if (raw instanceof String) {
      return "a string";
    } else if (raw instanceof Boolean) {
      return "a boolean";
    } else if (raw instanceof Long) {
      return "an integer";
    } else if (raw instanceof Double) {
      return "a float";
    } else if (raw instanceof TomlArray) {
      return "an array";
    } else if (raw instanceof TomlTable) {
      return "a table";
    }
    return "a date or time";
  }

  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /** Where relative paths and {@code ~} point for one source of values. */
  static final class PathResolver {
    private final Path base;
    private final Path home;

    PathResolver(Path base, Path home) {
      this.base = base;
      this.home = home;
    }

    Path resolve(String text) {
      if (text.equals("~")) {
        return home.toAbsolutePath().normalize();
      }
      if (text.startsWith("~/")) {
        return home.resolve(text.substring(2)).toAbsolutePath().normalize();
      }
      return base.resolve(text).toAbsolutePath().normalize();
    }
  }
}
