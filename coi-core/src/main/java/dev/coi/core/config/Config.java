package dev.coi.core.config;

import dev.coi.api.ConfigSetting;
import dev.coi.api.Mount;
import dev.coi.api.spi.RemoteDaemon;
import dev.coi.api.value.ValueStyle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.immutables.value.Value;

/**
 * The effective configuration for one workspace: the built-in defaults, then the system, user and
 * project files, the {@code CLAUDE_ON_INCUS_*} environment variables, the chosen profile and the
 * explicit settings, each over the one before (docs/CONFIGURATION.md lists every key). Immutable;
 * made by a {@link ConfigLoader}.
 *
 * <pre>{@code
 * Config config = ConfigLoader.standard().load(Path.of("/src/app"), "ci");
 * String image = config.defaults().image();
 * System.out.print(config.describe()); // every key, its value and where it came from
 * }</pre>
 */
@Value.Immutable
@Value.Enclosing
@ValueStyle
public abstract class Config {
  Config() {}

  /** The {@code [defaults]} of a session. */
  public abstract Defaults defaults();

  /** The {@code [paths]} on the host. */
  public abstract Paths paths();

  /** The {@code [incus]} daemon to talk to. */
  public abstract Incus incus();

  /** The {@code [agent]} command run in the container. */
  public abstract Agent agent();

  /** The {@code [limits]} of each container. */
  public abstract Limits limits();

  /** The {@code [security]} of each session. */
  public abstract Security security();

  /** The {@code [network]} policy of each session. */
  public abstract dev.coi.api.NetworkPolicy network();

  /** The {@code [build]} settings of {@code coi build}. */
  public abstract Build imageBuild();

  /** The {@code [[mounts]]} beyond the workspace, by target. */
  public abstract List<Mount> mounts();

  /** Environment variables for every process of a session, by name. */
  // Redacted: values are often tokens, and a Config may reach a log or a message via toString.
  @Value.Redacted
  public abstract Map<String, String> environment();

  /** The profile applied, if one was chosen. */
  public abstract Optional<String> profile();

  /** The names of every profile the configuration files define. */
  public abstract Set<String> profileNames();

  /**
   * Whether the workspace is trusted: listed in {@code security.trusted_workspaces} of the system
   * or user file or the environment, so that its own {@code .claude-on-incus.toml} may set every
   * key. False without a workspace.
   */
  public boolean workspaceTrusted() {
    return workspaceTrust().map(t -> t.trusted()).orElse(false);
  }

  /** The workspace's trust; empty when loaded without a workspace. */
  abstract Optional<WorkspacePolicy.Trust> workspaceTrust();

  /** Each key that has a value, by its {@link #describe()} name, with where the value came from. */
  @Value.Redacted // holds the environment's values as well
  abstract Map<String, Setting> settings();

  /**
   * Where a key's value came from, for messages: {@code "user file
   * /home/me/.config/…/config.toml:3"} or {@code "environment CLAUDE_ON_INCUS_IMAGE"}. Keys are
   * named as in {@link #describe()}: {@code defaults.image}, {@code mounts[/data]}, {@code
   * environment.CI}. Empty for a key that is not set.
   */
  public Optional<String> originOf(String key) {
    return Optional.ofNullable(settings().get(key)).map(Setting::origin);
  }

  /**
   * Every key with its effective value and the layer it came from, one per line, in TOML syntax,
   * after a comment saying whether the workspace is trusted:
   *
   * <pre>
   * # workspace /src/app is not trusted: its .claude-on-incus.toml may set only [environment], …
   * defaults.image = "coi-test-min"   (environment CLAUDE_ON_INCUS_IMAGE)
   * defaults.slots = 10               (built-in default)
   * incus.socket is not set
   * </pre>
   */
  public String describe() {
    List<Row> rows = new ArrayList<>();
    workspaceTrust().ifPresent(t -> rows.add(new Row("# " + t.describe(), null)));
    for (ConfigSetting entry : entries()) {
      rows.add(
          entry.value().isEmpty()
              ? new Row(entry.key() + " is not set", null)
              : new Row(entry.key() + " = " + entry.value().get(), entry.origin().orElse(null)));
    }
    int width =
        rows.stream()
            .filter(r -> r.origin() != null)
            .mapToInt(r -> r.text().length())
            .max()
            .orElse(0);
    StringBuilder out = new StringBuilder();
    for (Row row : rows) {
      out.append(row.text());
      if (row.origin() != null) {
        out.append(" ".repeat(width - row.text().length() + 3))
            .append('(')
            .append(row.origin())
            .append(')');
      }
      out.append('\n');
    }
    return out.toString();
  }

  /**
   * Every key as {@link #describe()} shows it, its value in TOML syntax and its origin: the known
   * keys in their order (unset ones without a value), then mounts and environment variables.
   */
  public List<ConfigSetting> entries() {
    List<ConfigSetting> entries = new ArrayList<>();
    for (Key key : Key.values()) {
      Setting setting = settings().get(key.dotted());
      ConfigSetting.Builder entry = ConfigSetting.builder().key(key.dotted());
      if (setting != null) {
        entry.value(key.type().render(setting.value())).origin(setting.origin());
      }
      entries.add(entry.build());
    }
    settings()
        .forEach(
            (name, setting) -> {
              String value = null;
              if (setting.value() instanceof Mount) {
                Mount m = (Mount) setting.value();
                value =
                    "{ source = "
                        + ValueType.quote(m.source().toString())
                        + ", readonly = "
                        + m.readOnly()
                        + " }";
              } else if (name.startsWith(ENVIRONMENT_PREFIX)) {
                value = ValueType.quote((String) setting.value());
              }
              if (value != null) {
                entries.add(
                    ConfigSetting.builder()
                        .key(name)
                        .value(value)
                        .origin(setting.origin())
                        .build());
              }
            });
    return entries;
  }

  /** One line of {@link #describe()}; unset keys have no origin. */
  private record Row(String text, String origin) {}

  static final String MOUNTS_PREFIX = "mounts";
  static final String ENVIRONMENT_PREFIX = "environment.";

  /** {@code [defaults]}: what a session is unless its spec or the command line says otherwise. */
  @Value.Immutable
  public abstract static class Defaults {
    Defaults() {}

    /** {@code image}: the image alias sessions start from. */
    public abstract String image();

    /** {@code privileged}: use the privileged image (sudo, gh, ssh); never an Incus privilege. */
    public abstract boolean privileged();

    /** {@code persistent}: keep containers after their sessions. */
    public abstract boolean persistent();

    /** {@code mount_claude_config}: copy the host's agent credentials and settings in. */
    public abstract boolean mountClaudeConfig();

    /** {@code slots}: how many sessions one workspace may run at once. */
    public abstract int slots();

    /** {@code container_prefix}: the start of every container name. */
    public abstract String containerPrefix();

    /** The container backend to use by name; the best available one when absent. */
    public abstract Optional<String> backend();

    /** The session store to use by name; the best available one when absent. */
    public abstract Optional<String> store();
  }

  /** {@code [paths]} on the host, absolute. */
  @Value.Immutable
  public abstract static class Paths {
    Paths() {}

    /** {@code sessions_dir}: where saved sessions are kept. */
    public abstract Path sessionsDir();

    /** {@code storage_dir}: a host directory mounted at {@code /storage}, if any. */
    public abstract Optional<Path> storageDir();
  }

  /** {@code [incus]}: the daemon. */
  @Value.Immutable
  public abstract static class Incus {
    Incus() {}

    /** {@code socket}: the daemon's unix socket; empty to look it up as the Incus tools do. */
    public abstract Optional<Path> socket();

    /**
     * {@code [incus.remote]}: a daemon reached over HTTPS with a client certificate ({@code
     * client_certificate}, {@code client_key}, PEM files), trusted by at most one of its
     * certificate ({@code server_certificate}), its fingerprint ({@code server_fingerprint}) or its
     * CA ({@code ca_certificate}); the backend is given it as it is.
     */
    public abstract Optional<RemoteDaemon> remote();
  }

  /** {@code [agent]}: the agent CLI run in the container (Claude Code, or a stand-in). */
  @Value.Immutable
  public abstract static class Agent {
    Agent() {}

    /** {@code command}: the agent's executable. */
    public abstract String command();

    /** {@code args}: arguments given to it every time. */
    public abstract List<String> args();

    /** {@code resume_flag}: the flag that makes it continue its last conversation. */
    public abstract String resumeFlag();

    /** {@code state_dir}: its state directory in the container ({@code ~} is the agent's home). */
    public abstract String stateDir();
  }

  /** {@code [limits]}: Incus {@code limits.*} values for each container; empty for none. */
  @Value.Immutable
  public abstract static class Limits {
    Limits() {}

    /** {@code cpu}: {@code limits.cpu}, such as {@code "2"} or {@code "0-3"}. */
    public abstract Optional<String> cpu();

    /** {@code memory}: {@code limits.memory}, such as {@code "4GiB"}. */
    public abstract Optional<String> memory();

    /** {@code processes}: {@code limits.processes}. */
    public abstract Optional<String> processes();
  }

  /**
   * {@code [security]}: the workspace paths made read-only in the container, because programs on
   * the host run them later (git hooks, editor tasks, the agent's project settings).
   */
  @Value.Immutable
  public abstract static class Security {
    Security() {}

    /** {@code protected_paths}: relative to the workspace; a directory's ends with {@code /}. */
    public abstract List<String> protectedPaths();

    /** {@code additional_protected_paths}: added to {@link #protectedPaths()}. */
    public abstract List<String> additionalProtectedPaths();

    /** Both lists, without repeats. */
    public List<String> allProtectedPaths() {
      Set<String> all = new java.util.LinkedHashSet<>(protectedPaths());
      all.addAll(additionalProtectedPaths());
      return List.copyOf(all);
    }
  }

  /** {@code [build]}: how {@code coi build} makes images. */
  @Value.Immutable
  public abstract static class Build {
    Build() {}

    /** {@code base}: the image a recipe builds on when neither it nor the command names one. */
    public abstract String base();

    /** {@code keep}: how many versions of an image to keep, the newest included. */
    public abstract int keep();
  }
}
