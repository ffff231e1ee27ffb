package dev.coi.core.internal;

import dev.coi.api.BackendUnavailableException;
import dev.coi.api.spi.BackendSettings;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.core.config.Config;
import java.util.List;
import java.util.Optional;

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
   * {@link BackendSettings#backend()} (a {@link dev.coi.api.ConfigException} when no backend has
   * that name, a {@link BackendUnavailableException} with its reason when it is unavailable), else
   * the available one with the highest priority.
   */
  static ContainerBackend discover(BackendSettings settings) {
    return choose(
        ProviderChoice.load(ContainerBackend.class, backend -> backend.configure(settings)),
        settings);
  }

  /**
   * The {@code [incus]} section, and the backend named (if any), as backend settings (see {@link
   * ContainerBackend#configure}).
   */
  static BackendSettings settings(Config.Incus incus, Optional<String> backend) {
    return BackendSettings.builder()
        .backend(backend)
        .socket(incus.socket())
        .remote(incus.remote())
        .build();
  }

  /** The backend the settings name, or the best available one; the others are closed. */
  static ContainerBackend choose(List<ContainerBackend> candidates, BackendSettings settings) {
    return CHOICE.choose(candidates, settings.backend());
  }
}
