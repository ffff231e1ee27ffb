package dev.coi.core.config;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What one source of configuration says, and only that: a key it does not mention is absent, so
 * that the value from below survives ({@link #over}). Mounts are keyed by their target and
 * environment variables by name, so that a higher layer replaces an entry of the same key and keeps
 * the others. Profiles are layers too, merged by name across files.
 */
final class Layer {
  static final Layer EMPTY = new Builder().build();

  private final Map<Key, Setting> values;
  private final Map<String, Setting> mounts;
  private final Map<String, Setting> environment;
  private final Map<String, Layer> profiles;

  private Layer(
      Map<Key, Setting> values,
      Map<String, Setting> mounts,
      Map<String, Setting> environment,
      Map<String, Layer> profiles) {
    this.values = values.isEmpty() ? Map.of() : new EnumMap<>(values);
    this.mounts = new LinkedHashMap<>(mounts);
    this.environment = new LinkedHashMap<>(environment);
    this.profiles = new LinkedHashMap<>(profiles);
  }

  static Builder builder() {
    return new Builder();
  }

  /** This layer applied over {@code lower}: what this one says wins, the rest stays. */
  Layer over(Layer lower) {
    Builder merged = new Builder();
    merged.values.putAll(lower.values);
    merged.values.putAll(values);
    merged.mounts.putAll(lower.mounts);
    merged.mounts.putAll(mounts);
    merged.environment.putAll(lower.environment);
    merged.environment.putAll(environment);
    merged.profiles.putAll(lower.profiles);
    profiles.forEach(
        (name, profile) -> merged.profiles.merge(name, profile, (low, up) -> up.over(low)));
    return merged.build();
  }

  Map<Key, Setting> values() {
    return Collections.unmodifiableMap(values);
  }

  /** Mounts by normalized target; each value is a {@link dev.coi.api.Mount}. */
  Map<String, Setting> mounts() {
    return Collections.unmodifiableMap(mounts);
  }

  Map<String, Setting> environment() {
    return Collections.unmodifiableMap(environment);
  }

  Map<String, Layer> profiles() {
    return Collections.unmodifiableMap(profiles);
  }

  // Order-insensitive: layers are equal when they say the same things.
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Layer)) {
      return false;
    }
    Layer other = (Layer) o;
    return values.equals(other.values)
        && mounts.equals(other.mounts)
        && environment.equals(other.environment)
        && profiles.equals(other.profiles);
  }

  @Override
  public int hashCode() {
    return Objects.hash(values, mounts, environment, profiles);
  }

  @Override
  public String toString() {
    // The environment's names only: its values are often tokens.
    return "Layer" + values + mounts + environment.keySet() + profiles;
  }

  static final class Builder {
    private final Map<Key, Setting> values = new EnumMap<>(Key.class);
    private final Map<String, Setting> mounts = new LinkedHashMap<>();
    private final Map<String, Setting> environment = new LinkedHashMap<>();
    private final Map<String, Layer> profiles = new LinkedHashMap<>();

    /** The setting this builder already has for the key, if any. */
    Setting value(Key key) {
      return values.get(key);
    }

    Builder put(Key key, Setting setting) {
      values.put(key, setting);
      return this;
    }

    Setting mount(String target) {
      return mounts.get(target);
    }

    Builder putMount(String target, Setting mount) {
      mounts.put(target, mount);
      return this;
    }

    Builder putEnvironment(String name, Setting value) {
      environment.put(name, value);
      return this;
    }

    Builder putProfile(String name, Layer profile) {
      profiles.put(name, profile);
      return this;
    }

    Layer build() {
      return new Layer(values, mounts, environment, profiles);
    }
  }
}
