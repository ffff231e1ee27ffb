package dev.coi.core.internal;

import dev.coi.api.BackendUnavailableException;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.core.config.Config;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Chooses the container backend: of those on the class path, the one configuration names, else the
 * available one with the highest priority. When none is, the error gives each one's reason.
 */
final class Backends {
  private static final ProviderChoice<ContainerBackend> CHOICE =
      new ProviderChoice<>(
          "container backend",
          "defaults.backend",
          "no container backend on the class path: add dev.coi:coi-incus",
          ContainerBackend::name,
          ContainerBackend::priority,
          ContainerBackend::availability,
          ContainerBackend::close);

  private Backends() {}

  /**
   * The chosen backend of the class path, configured with the given settings: the one named by
   * {@link DefaultSessionEngine#USE} (a {@link dev.coi.api.ConfigException} when no backend has
   * that name, a {@link BackendUnavailableException} with its reason when it is unavailable), else
   * the available one with the highest priority.
   */
  static ContainerBackend discover(Map<String, String> settings) {
    List<ContainerBackend> found = new ArrayList<>();
    ServiceLoader.load(ContainerBackend.class, Backends.class.getClassLoader())
        .forEach(
            backend -> {
              backend.configure(settings);
              found.add(backend);
            });
    return choose(found, settings);
  }

  /** The {@code [incus]} section as backend settings (see {@link ContainerBackend#configure}). */
  static Map<String, String> settings(Config.Incus incus) {
    Map<String, String> settings = new TreeMap<>();
    incus.socket().ifPresent(socket -> settings.put("socket", socket.toString()));
    incus
        .remote()
        .ifPresent(
            remote -> {
              settings.put("remote.address", remote.address());
              remote
                  .clientCertificate()
                  .ifPresent(p -> settings.put("remote.client_certificate", p.toString()));
              remote.clientKey().ifPresent(p -> settings.put("remote.client_key", p.toString()));
              remote
                  .serverCertificate()
                  .ifPresent(p -> settings.put("remote.server_certificate", p.toString()));
              remote
                  .serverFingerprint()
                  .ifPresent(f -> settings.put("remote.server_fingerprint", f));
              remote
                  .caCertificate()
                  .ifPresent(p -> settings.put("remote.ca_certificate", p.toString()));
            });
    return settings;
  }

  /** The backend the settings name, or the best available one; the others are closed. */
  static ContainerBackend choose(List<ContainerBackend> candidates, Map<String, String> settings) {
    return CHOICE.choose(candidates, settings);
  }
}
