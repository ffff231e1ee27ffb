package dev.coi.api;

import dev.coi.api.internal.ValueStyle;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * Everything that decides what a session will be, fixed before it starts. Built with {@link
 * Sessions#builder()}; {@link #start()} turns it into a live {@link Session}. What the spec leaves
 * out comes from configuration and built-in defaults.
 *
 * <pre>{@code
 * SessionSpec spec = Sessions.builder().workspace(Path.of("/src/app")).slot(2).persistent().build();
 * try (Session s = spec.start()) { ... }
 * SessionSpec other = spec.toBuilder().slot(3).build();
 * }</pre>
 */
@Value.Immutable
@ValueStyle
public abstract class SessionSpec {
  SessionSpec() {}

  /** The host directory mounted at {@code /workspace}. */
  public abstract Path workspace();

  /** The slot to take on this workspace, from 1; 0 (the default) takes the lowest free one. */
  @Value.Default
  public int slot() {
    return 0;
  }

  /** True to keep the container after the session, to be reused by the next one on that slot. */
  @Value.Default
  public boolean persistent() {
    return false;
  }

  /**
   * True (the default) for {@link Session#close()} to return once an ephemeral container is gone.
   * False to return as soon as the backend has accepted its stop; the backend then deletes it on
   * its own, about half a second later. For programs that exit right after the session, as the CLI
   * does. A persistent container's stop is always awaited, so that the next session can reuse it.
   */
  @Value.Default
  public boolean awaitCleanup() {
    return true;
  }

  /** The image alias to start from; the configured default ({@code coi-sandbox}) when absent. */
  public abstract Optional<String> image();

  /** Extra environment variables for every process in the session. */
  public abstract Map<String, String> environment();

  /**
   * The prefix of the container's name; {@code claude-} when absent. Tests use their own prefix so
   * that leftovers can be told apart and swept.
   */
  public abstract Optional<String> containerPrefix();

  /**
   * The configuration profile to apply ({@code [profiles.NAME]} in a configuration file), over the
   * configuration files and the environment and under this spec's own values. An unknown name is an
   * error that lists the known ones.
   */
  public abstract Optional<String> profile();

  /** A builder holding this spec's values, to derive another spec. */
  public Builder toBuilder() {
    return new Builder().from(this);
  }

  /** Starts a session with this spec. The caller closes it. */
  public Session start() {
    return Sessions.start(this);
  }

  @Value.Check
  void check() {
    if (slot() < 0) {
      throw new InvalidSpecException(
          "slot " + slot() + " is negative: give 1 or more, or 0 for any");
    }
    containerPrefix()
        .filter(p -> !p.matches("[a-z][a-z0-9-]{0,40}"))
        .ifPresent(
            p -> {
              throw new InvalidSpecException(
                  "container prefix '"
                      + p
                      + "' is not a valid name start: use lower-case letters, digits and '-'");
            });
    profile()
        .filter(String::isBlank)
        .ifPresent(
            p -> {
              throw new InvalidSpecException("profile name is blank: give a profile's name");
            });
    for (String key : environment().keySet()) {
      if (!key.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new InvalidSpecException(
            "environment variable name '" + key + "' is invalid: use letters, digits and '_'");
      }
    }
  }

  /** Builds a {@link SessionSpec}; {@link #start()} builds and starts in one step. */
  public static class Builder extends ImmutableSessionSpec.Builder {
    Builder() {}

    /** Keeps the container after the session; same as {@code persistent(true)}. */
    public Builder persistent() {
      return persistent(true);
    }

    /** Builds the spec and starts a session with it. The caller closes the session. */
    public Session start() {
      return build().start();
    }
  }

  static Builder newBuilder() {
    return new Builder();
  }
}
