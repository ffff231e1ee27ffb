package dev.coi.core.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Every scalar configuration key: its dotted name, type, built-in default and environment
 * variables. The single list the file reader, the environment reader, {@link Config#describe()} and
 * docs/CONFIGURATION.md follow; mounts and environment variables are lists and live apart.
 */
enum Key {
  IMAGE("defaults.image", ValueType.STRING, "coi-sandbox"),
  PRIVILEGED("defaults.privileged", ValueType.BOOLEAN, false),
  PERSISTENT("defaults.persistent", ValueType.BOOLEAN, false),
  MOUNT_CLAUDE_CONFIG("defaults.mount_claude_config", ValueType.BOOLEAN, true),
  SLOTS("defaults.slots", ValueType.INTEGER, 10),
  CONTAINER_PREFIX("defaults.container_prefix", ValueType.STRING, "claude-"),
  BACKEND("defaults.backend", ValueType.STRING, null),
  STORE("defaults.store", ValueType.STRING, null),
  SESSIONS_DIR("paths.sessions_dir", ValueType.PATH, "~/.claude-on-incus/sessions"),
  STORAGE_DIR("paths.storage_dir", ValueType.PATH, null),
  INCUS_SOCKET("incus.socket", ValueType.PATH, null),
  REMOTE_ADDRESS("incus.remote.address", ValueType.STRING, null),
  REMOTE_CLIENT_CERTIFICATE("incus.remote.client_certificate", ValueType.PATH, null),
  REMOTE_CLIENT_KEY("incus.remote.client_key", ValueType.PATH, null),
  REMOTE_SERVER_CERTIFICATE("incus.remote.server_certificate", ValueType.PATH, null),
  REMOTE_SERVER_FINGERPRINT("incus.remote.server_fingerprint", ValueType.STRING, null),
  REMOTE_CA_CERTIFICATE("incus.remote.ca_certificate", ValueType.PATH, null),
  AGENT_COMMAND("agent.command", ValueType.STRING, "claude"),
  AGENT_ARGS("agent.args", ValueType.STRING_LIST, List.of()),
  AGENT_RESUME_FLAG("agent.resume_flag", ValueType.STRING, "--resume"),
  // Inside the container, relative to the agent's home there: never expanded on the host.
  AGENT_STATE_DIR("agent.state_dir", ValueType.STRING, "~/.claude"),
  LIMITS_CPU("limits.cpu", ValueType.LIMIT, null),
  LIMITS_MEMORY("limits.memory", ValueType.LIMIT, null),
  LIMITS_PROCESSES("limits.processes", ValueType.LIMIT, null),
  // What the container reaches over the network (docs/SECURITY.md); a workspace may only narrow it.
  NETWORK_MODE("network.mode", ValueType.STRING, "restricted"),
  NETWORK_ALLOW_CIDRS("network.allow_cidrs", ValueType.STRING_LIST, List.of()),
  NETWORK_ALLOW_DOMAINS("network.allow_domains", ValueType.STRING_LIST, List.of()),
  NETWORK_PORTS("network.ports", ValueType.STRING_LIST, List.of("80", "443")),
  // Read from the system and user files and the environment only: see WorkspacePolicy.
  TRUSTED_WORKSPACES("security.trusted_workspaces", ValueType.PATH_LIST, List.of()),
  ALLOWED_IMAGES("security.allowed_images", ValueType.STRING_LIST, List.of()),
  // Workspace paths that host programs run later, read-only in the container (docs/SECURITY.md).
  PROTECTED_PATHS(
      "security.protected_paths",
      ValueType.STRING_LIST,
      List.of(
          ".git/hooks/",
          ".git/config",
          ".git/info/attributes",
          ".husky/",
          ".vscode/",
          ".idea/",
          ".envrc",
          ".claude/settings.json",
          ".claude/settings.local.json",
          ".claude-on-incus.toml")),
  ADDITIONAL_PROTECTED_PATHS(
      "security.additional_protected_paths", ValueType.STRING_LIST, List.of()),
  // `coi build`: the image a recipe without a base of its own builds on, and versions kept.
  BUILD_BASE("build.base", ValueType.STRING, "coi-base"),
  BUILD_KEEP("build.keep", ValueType.INTEGER, 3);

  static final String ENV_PREFIX = "CLAUDE_ON_INCUS_";

  /**
   * Keys coi read once but never applied, now refused with the reason and the fix (see
   * docs/ARCHITECTURE.md): a setting that is accepted and ignored misleads whoever set it.
   */
  static final Map<String, String> RETIRED =
      Map.of(
          "incus.project",
          "coi makes its containers in Incus's default project; remove the key",
          "incus.group",
          "coi never used it (access to the daemon is membership of the group that owns its"
              + " socket, set up by images/setup-host.sh); remove the key",
          "incus.claude_uid",
          "the agent user is uid 1000, as in coi's images; remove the key");

  /** Why a retired key is refused, by its environment variable; empty for others. */
  static Optional<String> retiredVariable(String variable) {
    return RETIRED.entrySet().stream()
        .filter(
            e ->
                variable.equals(ENV_PREFIX + e.getKey().replace('.', '_').toUpperCase(Locale.ROOT)))
        .map(e -> e.getKey() + " is no longer read: " + e.getValue())
        .findFirst();
  }

  private final String name;
  private final ValueType type;
  private final Object defaultValue;

  Key(String name, ValueType type, Object defaultValue) {
    this.name = name;
    this.type = type;
    this.defaultValue = defaultValue;
  }

  /** The dotted name, as in a file: {@code defaults.image}. */
  String dotted() {
    return name;
  }

  /** The section, the first part of the dotted name. */
  String section() {
    return name.substring(0, name.indexOf('.'));
  }

  /** The name within its section: {@code image}, {@code remote.address}. */
  String local() {
    return name.substring(name.indexOf('.') + 1);
  }

  ValueType type() {
    return type;
  }

  /** The built-in value (paths as written, {@code ~} not yet expanded); null when unset. */
  Object defaultValue() {
    return defaultValue;
  }

  /** {@code CLAUDE_ON_INCUS_DEFAULTS_IMAGE}, {@code CLAUDE_ON_INCUS_INCUS_REMOTE_ADDRESS}. */
  String environmentVariable() {
    return ENV_PREFIX + name.replace('.', '_').toUpperCase(Locale.ROOT);
  }

  /**
   * The original tool's short form without the section, {@code CLAUDE_ON_INCUS_IMAGE}, for the keys
   * of [defaults] and [paths], whose names are unique.
   */
  Optional<String> shortEnvironmentVariable() {
    if (section().equals("defaults") || section().equals("paths")) {
      return Optional.of(ENV_PREFIX + local().toUpperCase(Locale.ROOT));
    }
    return Optional.empty();
  }

  /** Each environment variable that sets this key, the long form first. */
  List<String> environmentVariables() {
    List<String> names = new ArrayList<>();
    names.add(environmentVariable());
    shortEnvironmentVariable().ifPresent(names::add);
    return names;
  }

  /** Checks a value of the right type against this key's rules. */
  void check(Object value) {
    if (value instanceof String && ((String) value).isEmpty() && type != ValueType.LIMIT) {
      throw new ValueProblem("is empty");
    }
    switch (this) {
      case SLOTS:
        if ((Integer) value < 1) {
          throw new ValueProblem("must be 1 or more, not " + value);
        }
        break;
      case CONTAINER_PREFIX:
        // The same rule as SessionSpec's: the prefix starts an Incus instance name.
        if (!((String) value).matches("[a-z][a-z0-9-]{0,40}")) {
          throw new ValueProblem(
              "is not a valid name start ("
                  + ValueType.quote((String) value)
                  + "): use lower-case letters, digits and '-'");
        }
        break;
      case NETWORK_MODE:
      case NETWORK_ALLOW_CIDRS:
      case NETWORK_ALLOW_DOMAINS:
      case NETWORK_PORTS:
        NetworkOrder.check(this, value);
        break;
      case LIMITS_CPU:
      case LIMITS_MEMORY:
      case LIMITS_PROCESSES:
        if (((String) value).isBlank()) {
          throw new ValueProblem("is empty: leave the key out for no limit");
        }
        break;
      default:
        break;
    }
  }

  /** The key with this dotted name. */
  static Optional<Key> byName(String dotted) {
    for (Key key : values()) {
      if (key.name.equals(dotted)) {
        return Optional.of(key);
      }
    }
    return Optional.empty();
  }
}
