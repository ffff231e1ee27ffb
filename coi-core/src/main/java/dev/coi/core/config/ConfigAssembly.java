package dev.coi.core.config;

import dev.coi.api.ConfigException;
import dev.coi.api.Mount;
import dev.coi.api.spi.RemoteDaemon;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns the merged layers' untyped settings into a typed {@link Config}: each key's value cast to
 * its section's field, the remote daemon's keys checked as a whole.
 */
final class ConfigAssembly {
  private ConfigAssembly() {}

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
              settings.put(Config.MOUNTS_PREFIX + "[" + target + "]", setting);
            });
    new TreeMap<>(merged.environment())
        .forEach(
            (name, setting) -> {
              config.putEnvironment(name, (String) setting.value());
              settings.put(Config.ENVIRONMENT_PREFIX + name, setting);
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
}
