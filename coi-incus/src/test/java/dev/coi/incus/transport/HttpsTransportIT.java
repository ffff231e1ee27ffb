package dev.coi.incus.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.incus.ExecOutput;
import dev.coi.incus.ExecRequest;
import dev.coi.incus.IncusClient;
import dev.coi.incus.IncusRemote;
import dev.coi.incus.IncusUnavailableException;
import dev.coi.incus.LeakCheck;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport contract over HTTPS, against the local daemon made to listen on 127.0.0.1 for the
 * length of this class (see {@link LocalDaemonOverHttps}), and what a remote's user sees when the
 * pin, the certificate or the address is wrong.
 */
class HttpsTransportIT extends TransportContract {
  @TempDir static Path dir;
  static LocalDaemonOverHttps daemon;
  private static TestCertificates.Identity scriptedServer;

  @BeforeAll
  static void makeTheDaemonListenOnLoopback() throws IOException {
    daemon = LocalDaemonOverHttps.start(dir);
  }

  @AfterAll
  static void restoreTheDaemon() throws IOException {
    if (daemon != null) {
      daemon.close();
    }
  }

  @Override
  protected HttpTransport newTransport() throws Exception {
    return open(daemon.client(), ServerTrust.pinnedCertificate(daemon.serverCertificate()));
  }

  @Override
  protected ScriptedDaemon scriptedDaemon(ScriptedDaemon.Script script) throws Exception {
    return ScriptedDaemon.tls(scriptedServer(), script);
  }

  @Override
  protected HttpTransport transportTo(ScriptedDaemon scripted, TransportLimits limits)
      throws Exception {
    return HttpsTransport.open(
        scripted.address(),
        daemon.client().certificate(),
        daemon.client().key(),
        ServerTrust.pinnedCertificate(scriptedServer().certificate()),
        Duration.ofSeconds(5),
        limits);
  }

  private static synchronized TestCertificates.Identity scriptedServer() throws IOException {
    if (scriptedServer == null) {
      scriptedServer = TestCertificates.selfSigned(dir, "coi-test-scripted-daemon");
    }
    return scriptedServer;
  }

  private static HttpsTransport open(TestCertificates.Identity identity, ServerTrust trust)
      throws Exception {
    return HttpsTransport.open(
        daemon.address(), identity.certificate(), identity.key(), trust, Duration.ofSeconds(5));
  }

  /** Our established TCP connections to the daemon's port, from the kernel's table. */
  @Override
  protected int connectionsHeld() {
    int count = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] f = line.trim().split("\\s+");
          if (f.length > 3
              && f[2].endsWith(":" + String.format(Locale.ROOT, "%04X", daemon.port()))
              && f[3].equals("01")) {
            count++;
          }
        }
      } catch (IOException noTable) {
        return -1;
      }
    }
    return count;
  }

  private IncusRemote.Builder remote() {
    return IncusRemote.builder()
        .address(daemon.address())
        .clientCertificate(daemon.client().certificate())
        .clientKey(daemon.client().key())
        .serverCertificate(daemon.serverCertificate());
  }

  @Test
  void theFingerprintGetOneDotZeroShowsPinsTheDaemonToo() throws Exception {
    try (HttpsTransport https =
        open(daemon.client(), ServerTrust.fingerprint(daemon.serverFingerprint()))) {
      assertEquals(200, https.send(HttpRequest.of("GET", "/1.0")).status());
    }
  }

  @Test
  void aStrangerCompletesTheHandshakeButMayOnlyReadTheServerInfo() throws Exception {
    TestCertificates.Identity stranger =
        TestCertificates.selfSigned(dir, "coi-test-stranger-" + UUID.randomUUID());
    try (HttpsTransport https =
        open(stranger, ServerTrust.pinnedCertificate(daemon.serverCertificate()))) {
      HttpResponse info = https.send(HttpRequest.of("GET", "/1.0"));
      assertEquals(200, info.status());
      assertEquals("untrusted", JSON.readTree(info.body()).path("metadata").path("auth").asText());
      assertEquals(403, https.send(HttpRequest.of("GET", "/1.0/instances")).status());
    }
  }

  @Test
  void theRemoteClientRunsACommandEndToEnd() {
    String name = "coi-test-https-" + UUID.randomUUID().toString().substring(0, 8);
    try (IncusClient incus = IncusClient.remote(remote().build())) {
      assertTrue(incus.server().isTrusted());
      assertEquals(daemon.address().toString(), incus.endpoint());
      incus.instances().create(LeakCheck.testInstance(name, "https").build());
      try {
        ExecOutput out = incus.exec().run(name, ExecRequest.of("echo", "over https"));
        assertEquals(0, out.exitCode());
        assertEquals("over https\n", out.stdoutText());
      } finally {
        incus.instances().stop(name, true);
        incus.instances().delete(name);
      }
    }
  }

  @Test
  void aWrongPinnedFingerprintSaysTheCertificateDoesNotMatch() {
    IncusRemote wrongPin =
        remote()
            .serverCertificate(java.util.Optional.empty())
            .serverFingerprint(daemon.client().fingerprint())
            .build();

    IncusUnavailableException e =
        assertThrows(IncusUnavailableException.class, () -> IncusClient.remote(wrongPin));

    assertTrue(
        e.getMessage()
            .startsWith(
                "Incus at "
                    + daemon.address()
                    + " presented a certificate that does not match the pinned one (its SHA-256 is "
                    + daemon.serverFingerprint()),
        e.getMessage());
  }

  @Test
  void anUntrustedClientCertificateSaysHowToAddIt() throws IOException {
    TestCertificates.Identity stranger =
        TestCertificates.selfSigned(dir, "coi-test-stranger-" + UUID.randomUUID());
    IncusRemote untrusted =
        remote().clientCertificate(stranger.certificate()).clientKey(stranger.key()).build();

    IncusUnavailableException e =
        assertThrows(IncusUnavailableException.class, () -> IncusClient.remote(untrusted));

    assertEquals(
        "Incus at "
            + daemon.address()
            + " rejected our client certificate: add it with `incus config trust add-certificate "
            + stranger.certificate()
            + "` on that host",
        e.getMessage());
  }

  @Test
  void anUnusedPortIsConnectionRefused() throws IOException {
    int port;
    try (ServerSocket unused = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = unused.getLocalPort();
    }
    IncusRemote nowhere = remote().address("https://127.0.0.1:" + port).build();

    IncusUnavailableException e =
        assertThrows(IncusUnavailableException.class, () -> IncusClient.remote(nowhere));

    assertEquals(
        "Incus at https://127.0.0.1:"
            + port
            + " not reachable: connection refused; check the address and that the daemon listens"
            + " (core.https_address)",
        e.getMessage());
  }
}
