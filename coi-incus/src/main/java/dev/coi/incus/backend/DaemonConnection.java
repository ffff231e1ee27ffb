package dev.coi.incus.backend;

import dev.coi.api.InvalidSpecException;
import dev.coi.api.spi.BackendSettings;
import dev.coi.api.spi.RemoteDaemon;
import dev.coi.incus.IncusClient;
import dev.coi.incus.IncusRemote;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** How the backend's settings and the environment choose the daemon it talks to, and reach it. */
final class DaemonConnection {
  private DaemonConnection() {}

  /** A client of the remote daemon the settings name, or else of the local socket. */
  static IncusClient open(BackendSettings settings, Map<String, String> env) {
    return remote(settings)
        .map(IncusClient::remote)
        .orElseGet(() -> IncusClient.local(localEnv(settings, env)));
  }

  /** The remote daemon the settings name, if any. */
  static Optional<IncusRemote> remote(BackendSettings settings) {
    if (settings.remote().isEmpty()) {
      return Optional.empty();
    }
    RemoteDaemon daemon = settings.remote().get();
    if (daemon.clientCertificate().isEmpty() || daemon.clientKey().isEmpty()) {
      throw new InvalidSpecException(
          "[incus.remote] address "
              + daemon.address()
              + " needs client_certificate and client_key: the daemon knows clients by certificate");
    }
    IncusRemote.Builder remote =
        IncusRemote.builder()
            .address(daemon.address())
            .clientCertificate(daemon.clientCertificate().get())
            .clientKey(daemon.clientKey().get());
    daemon.serverCertificate().ifPresent(remote::serverCertificate);
    daemon.serverFingerprint().ifPresent(remote::serverFingerprint);
    daemon.caCertificate().ifPresent(remote::caCertificate);
    return Optional.of(remote.build());
  }

  /**
   * The environment the local socket is looked up in: a socket from the settings stands in for
   * {@code INCUS_SOCKET}, unless the environment sets that itself (the environment outranks
   * configuration files).
   */
  static Map<String, String> localEnv(BackendSettings settings, Map<String, String> env) {
    if (settings.socket().isEmpty() || env.containsKey("INCUS_SOCKET")) {
      return env;
    }
    Map<String, String> withSocket = new HashMap<>(env);
    withSocket.put("INCUS_SOCKET", settings.socket().get().toString());
    return withSocket;
  }
}
