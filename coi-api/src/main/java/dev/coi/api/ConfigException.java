package dev.coi.api;

/**
 * A configuration file, environment variable or profile is wrong: malformed TOML, an unknown key, a
 * value of the wrong type, a profile nobody defined. The one-line message names the file, line and
 * column (or the variable) and what would fix it. Raised before anything is created.
 */
public class ConfigException extends InvalidSpecException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
