package dev.coi.core.internal;

import dev.coi.api.BackendUnavailableException;
import dev.coi.api.spi.Availability;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.core.config.Config;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Chooses the container backend: of those on the class path, the available one with the highest
 * priority. When none is, the error gives each one's reason.
 */
final class Backends {
  private static final System.Logger LOG = System.getLogger(Backends.class.getName());

  private Backends() {}

  /** The chosen backend of the class path, configured with the given settings. */
  static ContainerBackend discover(Map<String, String> settings) {
    List<ContainerBackend> found = new ArrayList<>();
    ServiceLoader.load(ContainerBackend.class, Backends.class.getClassLoader())
        .forEach(
            backend -> {
              backend.configure(settings);
              found.add(backend);
            });
    return choose(found);
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

  static ContainerBackend choose(List<ContainerBackend> candidates) {
    if (candidates.isEmpty()) {
      throw new BackendUnavailableException(
          "no container backend on the class path: add dev.coi:coi-incus");
    }
    List<ContainerBackend> byPriority = new ArrayList<>(candidates);
    byPriority.sort(Comparator.comparingInt(ContainerBackend::priority).reversed());
    List<String> reasons = new ArrayList<>();
    String lastReason = "";
    ContainerBackend chosen = null;
    for (ContainerBackend backend : byPriority) {
      if (chosen != null) {
        backend.close();
        continue;
      }
      Availability availability = backend.availability();
      if (availability.isAvailable()) {
        chosen = backend;
        LOG.log(Level.DEBUG, "using container backend {0}", backend.name());
      } else {
        lastReason = availability.reason();
        reasons.add(backend.name() + ": " + lastReason);
        backend.close();
      }
    }
    if (chosen == null) {
      throw new BackendUnavailableException(
          reasons.size() == 1
              ? lastReason
              : "no container backend is available (" + String.join("; ", reasons) + ")");
    }
    return chosen;
  }
}
