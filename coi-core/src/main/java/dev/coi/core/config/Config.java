package dev.coi.core.config;

import dev.coi.api.ConfigException;
import dev.coi.api.ConfigSetting;
import dev.coi.api.Mount;
import dev.coi.api.spi.RemoteDaemon;
import dev.coi.api.value.ValueStyle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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

  /** The typed configuration from the merged layers; every key with a default is in them. */
  static Config of(
      Layer merged,
      Optional<String> profile,
      Set<String> profileNames,
      Optional<WorkspacePolicy.Trust> trust) {
    Map<Key, Setting> values = merged.values();
    Map<String, Setting> settings = new LinkedHashMap<>();
    values.forEach((key, setting) -> settings.put(key.dotted(), setting));
    ImmutableConfig.Builder config =
        ImmutableConfig.builder()
            .profile(profile)
            .workspaceTrust(trust)
            .profileNames(new TreeSet<>(profileNames))
            .defaults(
                ImmutableConfig.Defaults.builder()
                    .image((String) value(values, Key.IMAGE))
                    .privileged((Boolean) value(values, Key.PRIVILEGED))
                    .persistent((Boolean) value(values, Key.PERSISTENT))
                    .mountClaudeConfig((Boolean) value(values, Key.MOUNT_CLAUDE_CONFIG))
                    .slots((Integer) value(values, Key.SLOTS))
                    .containerPrefix((String) value(values, Key.CONTAINER_PREFIX))
                    .backend(optional(values, Key.BACKEND, String.class))
                    .store(optional(values, Key.STORE, String.class))
                    .build())
            .paths(
                ImmutableConfig.Paths.builder()
                    .sessionsDir((Path) value(values, Key.SESSIONS_DIR))
                    .storageDir(optional(values, Key.STORAGE_DIR, Path.class))
                    .build())
            .incus(
                ImmutableConfig.Incus.builder()
                    .socket(optional(values, Key.INCUS_SOCKET, Path.class))
                    .remote(remote(values))
                    .build())
            .agent(
                ImmutableConfig.Agent.builder()
                    .command((String) value(values, Key.AGENT_COMMAND))
                    .args(listOfStrings(value(values, Key.AGENT_ARGS)))
                    .resumeFlag((String) value(values, Key.AGENT_RESUME_FLAG))
                    .stateDir((String) value(values, Key.AGENT_STATE_DIR))
                    .build())
            .limits(
                ImmutableConfig.Limits.builder()
                    .cpu(optional(values, Key.LIMITS_CPU, String.class))
                    .memory(optional(values, Key.LIMITS_MEMORY, String.class))
                    .processes(optional(values, Key.LIMITS_PROCESSES, String.class))
                    .build())
            .network(
                dev.coi.api.NetworkPolicy.builder()
                    .mode(dev.coi.api.NetworkMode.parse((String) value(values, Key.NETWORK_MODE)))
                    .allowCidrs(listOfStrings(value(values, Key.NETWORK_ALLOW_CIDRS)))
                    .allowDomains(listOfStrings(value(values, Key.NETWORK_ALLOW_DOMAINS)))
                    .ports(listOfStrings(value(values, Key.NETWORK_PORTS)))
                    .build())
            .security(
                ImmutableConfig.Security.builder()
                    .protectedPaths(listOfStrings(value(values, Key.PROTECTED_PATHS)))
                    .additionalProtectedPaths(
                        listOfStrings(value(values, Key.ADDITIONAL_PROTECTED_PATHS)))
                    .build())
            .imageBuild(
                ImmutableConfig.Build.builder()
                    .base((String) value(values, Key.BUILD_BASE))
                    .keep((Integer) value(values, Key.BUILD_KEEP))
                    .build());
    // Sorted, so that the same settings give the same Config whatever the order of the layers.
    new TreeMap<>(merged.mounts())
        .forEach(
            (target, setting) -> {
              config.addMounts((Mount) setting.value());
              settings.put(MOUNTS_PREFIX + "[" + target + "]", setting);
            });
    new TreeMap<>(merged.environment())
        .forEach(
            (name, setting) -> {
              config.putEnvironment(name, (String) setting.value());
              settings.put(ENVIRONMENT_PREFIX + name, setting);
            });
    return config.settings(settings).build();
  }

  private static Object value(Map<Key, Setting> values, Key key) {
    Setting setting = values.get(key);
    if (setting == null) {
      throw new IllegalStateException("no value for " + key.dotted() + ": built-ins are missing");
    }
    return setting.value();
  }

  private static <T> Optional<T> optional(Map<Key, Setting> values, Key key, Class<T> type) {
    return Optional.ofNullable(values.get(key)).map(s -> type.cast(s.value()));
  }

  private static List<String> listOfStrings(Object value) {
    List<String> list = new ArrayList<>();
    for (Object item : (List<?>) value) {
      list.add((String) item);
    }
    return list;
  }

  private static final List<Key> REMOTE_TRUST =
      List.of(
          Key.REMOTE_SERVER_CERTIFICATE, Key.REMOTE_SERVER_FINGERPRINT, Key.REMOTE_CA_CERTIFICATE);

  private static Optional<RemoteDaemon> remote(Map<Key, Setting> values) {
    Optional<String> address = optional(values, Key.REMOTE_ADDRESS, String.class);
    if (address.isEmpty()) {
      for (Key key : Key.values()) {
        Setting setting = values.get(key);
        if (key.dotted().startsWith("incus.remote.") && setting != null) {
          throw new ConfigException(
              key.dotted()
                  + " is set ("
                  + setting.origin()
                  + ") but incus.remote.address is not: give the remote's address, or remove it");
        }
      }
      return Optional.empty();
    }
    // A daemon is trusted one way: by its certificate, its fingerprint or the CA that issued it.
    List<Key> trust = REMOTE_TRUST.stream().filter(values::containsKey).toList();
    if (trust.size() > 1) {
      throw new ConfigException(
          trust.get(0).dotted()
              + " ("
              + values.get(trust.get(0)).origin()
              + ") and "
              + trust.get(1).dotted()
              + " ("
              + values.get(trust.get(1)).origin()
              + ") are both set: trust the remote daemon one way, keep one of them");
    }
    return Optional.of(
        RemoteDaemon.builder()
            .address(address.get())
            .clientCertificate(optional(values, Key.REMOTE_CLIENT_CERTIFICATE, Path.class))
            .clientKey(optional(values, Key.REMOTE_CLIENT_KEY, Path.class))
            .serverCertificate(optional(values, Key.REMOTE_SERVER_CERTIFICATE, Path.class))
            .serverFingerprint(optional(values, Key.REMOTE_SERVER_FINGERPRINT, String.class))
            .caCertificate(optional(values, Key.REMOTE_CA_CERTIFICATE, Path.class))
            .build());
  }

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

    /** {@code [incus.remote]}: a daemon over HTTPS instead of the local socket. */
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
