package dev.coi.api;

import dev.coi.api.value.ValueStyle;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * One key of the effective configuration, its value and the layer it came from, as {@link
 * Sessions#configuration(java.nio.file.Path)} lists them.
 *
 * <pre>{@code
 * for (ConfigSetting s : Sessions.configuration(Path.of("."))) {
 *   System.out.println(s.key() + " = " + s.value().orElse("(not set)") + "  " + s.origin().orElse(""));
 * }
 * }</pre>
 */
@Value.Immutable
@ValueStyle
public abstract class ConfigSetting {
  ConfigSetting() {}

  /** The key as written in TOML, dotted: {@code defaults.image}, {@code environment.CI}. */
  public abstract String key();

  /** The value in TOML syntax ({@code "coi-sandbox"}, {@code 10}); empty when not set. */
  public abstract Optional<String> value();

  /**
   * Where the value came from: {@code built-in default}, {@code user file /…/config.toml:3}, {@code
   * environment CLAUDE_ON_INCUS_IMAGE}, {@code profile ci}; empty when not set.
   */
  public abstract Optional<String> origin();

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link ConfigSetting}; for the engine. */
  public static class Builder extends ImmutableConfigSetting.Builder {
    Builder() {}
  }
}
