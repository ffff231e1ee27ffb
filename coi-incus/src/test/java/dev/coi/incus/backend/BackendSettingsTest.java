package dev.coi.incus.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.InvalidSpecException;
import dev.coi.api.spi.BackendSettings;
import dev.coi.api.spi.RemoteDaemon;
import dev.coi.incus.IncusRemote;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How configuration settings choose the daemon the backend talks to. */
class BackendSettingsTest {

  @Test
  void noSettingsMeanTheLocalSocketFoundAsTheIncusToolsFindIt() {
    assertEquals(Optional.empty(), DaemonConnection.remote(BackendSettings.none()));
    Map<String, String> env = Map.of("HOME", "/root");
    assertEquals(env, DaemonConnection.localEnv(BackendSettings.none(), env));
  }

  @Test
  void aConfiguredSocketStandsInForIncusSocketUnlessTheEnvironmentSetsIt() {
    assertEquals(
        "/run/other/unix.socket",
        DaemonConnection.localEnv(socket("/run/other/unix.socket"), Map.of()).get("INCUS_SOCKET"));
    assertEquals(
        "/from/env",
        DaemonConnection.localEnv(
                socket("/run/other/unix.socket"), Map.of("INCUS_SOCKET", "/from/env"))
            .get("INCUS_SOCKET"));
  }

  private static BackendSettings socket(String path) {
    return BackendSettings.builder().socket(Path.of(path)).build();
  }

  private static BackendSettings remote(RemoteDaemon.Builder daemon) {
    return BackendSettings.builder().remote(daemon.build()).build();
  }

  @Test
  void aRemoteAddressWithCertificatesMakesARemote(@TempDir Path dir) throws IOException {
    Path cert = Files.writeString(dir.resolve("client.crt"), "x");
    Path key = Files.writeString(dir.resolve("client.key"), "x");

    IncusRemote remote =
        DaemonConnection.remote(
                remote(
                    RemoteDaemon.builder()
                        .address("https://127.0.0.1:8443")
                        .clientCertificate(cert)
                        .clientKey(key)
                        .serverFingerprint("ab".repeat(32))))
            .orElseThrow();

    assertEquals(URI.create("https://127.0.0.1:8443"), remote.address());
    assertEquals(cert, remote.clientCertificate());
    assertEquals(Optional.of("ab".repeat(32)), remote.serverFingerprint());
  }

  @Test
  void aRemoteWithoutAClientCertificateIsRefusedInOneLine() {
    InvalidSpecException e =
        assertThrows(
            InvalidSpecException.class,
            () ->
                DaemonConnection.remote(
                    remote(RemoteDaemon.builder().address("https://127.0.0.1:8443"))));
    assertTrue(e.getMessage().contains("client_certificate and client_key"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }
}
