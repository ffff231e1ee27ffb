package dev.coi.api;

import dev.coi.api.value.ValueStyle;
import java.nio.file.Path;
import java.util.List;
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

  /**
   * True to keep the container after the session, to be reused by the next one on that slot; false
   * to delete it. The configured {@code defaults.persistent} (false) when absent.
   */
  public abstract Optional<Boolean> persistent();

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
  // Values may be secrets: toString() leaves them out.
  @Value.Redacted
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

  /**
   * True to start from the privileged image ({@code coi-privileged}: adds sudo, the GitHub CLI, an
   * SSH client and the host's git identity). The container itself is never privileged. The
   * configured {@code defaults.privileged} (false) when absent.
   */
  public abstract Optional<Boolean> privileged();

  /**
   * Whether the host's agent credentials and settings are copied in on a fresh session; the
   * configured {@code defaults.mount_claude_config} (true) when absent.
   */
  public abstract Optional<Boolean> mountClaudeConfig();

  /** Host directories to mount besides the workspace and the configured {@code [[mounts]]}. */
  public abstract List<Mount> mounts();

  /** A host directory to mount at {@code /storage}; the configured {@code paths.storage_dir}. */
  public abstract Optional<Path> storage();

  /**
   * The saved session to resume: its id, or {@link #LATEST} for the workspace's most recent one.
   * Resuming restores the agent's saved state and starts the agent with its resume flag.
   */
  public abstract Optional<String> resume();

  /** The value of {@link #resume()} that picks the workspace's most recent saved session. */
  public static final String LATEST = "latest";

  /**
   * The agent's command line for {@link Session#startAgent()}; the configured {@code agent.command}
   * and {@code agent.args} when empty.
   */
  public abstract List<String> agentCommand();

  /** Resource limits, over the configured {@code [limits]}. */
  public abstract Optional<Limits> limits();

  /**
   * Labels of the caller's own, kept on the container and in the saved session ({@code
   * user.coi.label.<key>} on Incus), for orchestrators to find their sessions.
   */
  public abstract Map<String, String> labels();

  /** The network policy, over the configured {@code [network]}; see {@link NetworkPolicy}. */
  public abstract Optional<NetworkPolicy> network();

  /** The container backend to use by name ({@code incus}); the best available one when absent. */
  public abstract Optional<String> backend();

  /** The session store to use by name ({@code file}); the best available one when absent. */
  public abstract Optional<String> store();

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
    for (String key : labels().keySet()) {
      if (!key.matches("[a-z0-9][a-z0-9_.-]{0,60}")) {
        throw new InvalidSpecException(
            "label name '"
                + key
                + "' is invalid: use lower-case letters, digits, '.', '_' and '-'");
      }
    }
    resume()
        .filter(id -> !id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,100}"))
        .ifPresent(
            id -> {
              throw new InvalidSpecException(
                  "session id '"
                      + id
                      + "' is not valid: give an id from 'coi list --all', or "
                      + LATEST);
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

    /** Starts from the privileged image; same as {@code privileged(true)}. */
    public Builder privileged() {
      return privileged(true);
    }

    /** Resumes the workspace's most recent saved session; same as {@code resume(LATEST)}. */
    public Builder resumeLatest() {
      return resume(LATEST);
    }

    /** Mounts a host directory at {@code target} in the container, read-write. */
    public Builder mount(Path source, String target) {
      return addMounts(Mount.of(source.toAbsolutePath(), target));
    }

    /** The spec; an {@link InvalidSpecException} when it has no workspace or a value is invalid. */
    @Override
    public SessionSpec build() {
      try {
        return super.build();
      } catch (IllegalStateException missing) {
        throw new InvalidSpecException(
            "a session needs a workspace: call workspace(path) with the project's directory");
      }
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
