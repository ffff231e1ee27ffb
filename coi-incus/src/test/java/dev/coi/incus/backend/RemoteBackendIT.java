package dev.coi.incus.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.ExecResult;
import dev.coi.api.spi.Availability;
import dev.coi.api.spi.BackendSettings;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ExecSpec;
import dev.coi.api.spi.RemoteDaemon;
import dev.coi.incus.transport.LocalDaemonOverHttps;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend configured as coi's configuration configures it: over HTTPS to a remote daemon (this
 * machine's, listening on loopback for the test), or at a socket that is not there.
 */
class RemoteBackendIT {
  @TempDir static Path dir;
  private static LocalDaemonOverHttps daemon;

  @BeforeAll
  static void listen() throws Exception {
    daemon = LocalDaemonOverHttps.start(dir);
  }

  @AfterAll
  static void restore() throws Exception {
    daemon.close();
  }

  @Test
  void aConfiguredRemoteRunsContainersOverHttps() {
    try (IncusContainerBackend backend = new IncusContainerBackend(Map.of())) {
      backend.configure(
          BackendSettings.builder()
              .remote(
                  RemoteDaemon.builder()
                      .address(daemon.address().toString())
                      .clientCertificate(daemon.client().certificate())
                      .clientKey(daemon.client().key())
                      .serverFingerprint(daemon.serverFingerprint())
                      .build())
              .build());
      assertTrue(backend.availability().isAvailable(), backend.availability().reason());

      String name = "coi-test-remote-" + UUID.randomUUID().toString().substring(0, 8);
      backend.create(
          ContainerSpec.builder()
              .name(name)
              .image("coi-test-min")
              .putLabels("test", "remote")
              .putLabels("pid", Long.toString(ProcessHandle.current().pid()))
              .build());
      try {
        ExecResult r =
            backend.exec(name, ExecSpec.builder().command(List.of("echo", "over https")).build());
        assertEquals(ExecResult.of(0, "over https\n", ""), r);
      } finally {
        backend.delete(name);
      }
      assertTrue(backend.find(name).isEmpty());
    }
  }

  @Test
  void aConfiguredSocketThatIsNotThereIsNamedInTheReason() {
    try (IncusContainerBackend backend = new IncusContainerBackend(Map.of())) {
      backend.configure(
          BackendSettings.builder().socket(Path.of("/nonexistent/configured.socket")).build());
      Availability a = backend.availability();
      assertFalse(a.isAvailable());
      assertTrue(a.reason().contains("/nonexistent/configured.socket"), a.reason());
    }
  }
}
