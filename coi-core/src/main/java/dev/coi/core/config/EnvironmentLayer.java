package dev.coi.core.config;

import dev.coi.api.ConfigException;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads the {@code CLAUDE_ON_INCUS_<SECTION>_<KEY>} variables, and the original tool's short forms
 * {@code CLAUDE_ON_INCUS_<KEY>} for [defaults] and [paths], into a {@link Layer}. An empty variable
 * counts as unset, as it did before configuration files existed.
 */
final class EnvironmentLayer {
  private static final System.Logger LOG = System.getLogger(EnvironmentLayer.class.getName());

  private EnvironmentLayer() {}

  static Layer read(Map<String, String> environment, ValueType.PathResolver paths) {
    Map<String, Key> keys = new HashMap<>();
    for (Key key : Key.values()) {
      key.environmentVariables().forEach(variable -> keys.put(variable, key));
    }
    Layer.Builder layer = Layer.builder();
    Map<Key, String> setBy = new HashMap<>();
    // Sorted, so that which of two disagreeing variables is named first does not vary.
    for (Map.Entry<String, String> entry : new TreeMap<>(environment).entrySet()) {
      String variable = entry.getKey();
      if (!variable.startsWith(Key.ENV_PREFIX)) {
        continue;
      }
      Key key = keys.get(variable);
      Optional<String> retired = Key.retiredVariable(variable);
      if (retired.isPresent() && entry.getValue() != null && !entry.getValue().isBlank()) {
        throw new ConfigException("environment variable " + variable + ": " + retired.get());
      }
      if (key == null) {
        // Not an error: the variable may be meant for another version or another tool.
        LOG.log(
            Level.WARNING,
            "ignoring unknown environment variable {0}{1}",
            variable,
            Suggestions.closest(variable, keys.keySet())
                .map(s -> ": did you mean " + s + "?")
                .orElse(""));
        continue;
      }
      String text = entry.getValue();
      if (text == null || text.isBlank()) {
        continue;
      }
      Object value;
      try {
        value = key.type().fromText(text, paths);
        key.check(value);
      } catch (ValueProblem problem) {
        throw new ConfigException(
            "environment variable "
                + variable
                + "="
                + shown(text)
                + ": "
                + key.dotted()
                + " "
                + problem.getMessage());
      }
      String other = setBy.put(key, variable);
      if (other != null && !layer.value(key).value().equals(value)) {
        throw new ConfigException(
            "environment variables "
                + other
                + " and "
                + variable
                + " both set "
                + key.dotted()
                + ", to different values: unset one");
      }
      layer.put(key, new Setting(value, "environment " + variable));
    }
    return layer.build();
  }

  /** The value as typed, unless it would break the one-line message. */
  private static String shown(String text) {
    return text.chars().anyMatch(c -> c < 0x20) ? ValueType.quote(text) : text;
  }
}
