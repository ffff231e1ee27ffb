package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.BackendException;
import dev.coi.api.CoiException;
import dev.coi.incus.transport.HttpsTransport;
import dev.coi.incus.transport.TestCertificates;
import dev.coi.incus.transport.TestTlsServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a remote's failures say, against a stand-in server on 127.0.0.1 (HttpsTransportIT sees the
 * same against the real daemon). The stand-in also refuses a certificate in the TLS handshake,
 * which an Incus daemon does only in PKI mode.
 */
class IncusErrorsRemoteTest {
  private static final String TRUSTED =
      "{\"type\":\"sync\",\"status_code\":200,\"metadata\":{\"auth\":\"trusted\","
          + "\"api_extensions\":[],\"environment\":{\"server_version\":\"6.0.4\"}}}";
  private static final String UNTRUSTED =
      "{\"type\":\"sync\",\"status_code\":200,\"metadata\":{\"auth\":\"untrusted\","
          + "\"api_extensions\":[]}}";

  @TempDir static Path dir;
  static TestCertificates.Identity client;
  static TestCertificates.Identity server;
  static TestTlsServer trusting;
  static TestTlsServer untrusting;
  static TestTlsServer refusing;

  @BeforeAll
  static void servers() throws Exception {
    client = TestCertificates.selfSigned(dir, "coi-test-client");
    server = TestCertificates.selfSigned(dir, "coi-test-server");
    trusting = TestTlsServer.start(server, path -> TRUSTED);
    untrusting = TestTlsServer.start(server, path -> UNTRUSTED);
    refusing = TestTlsServer.start(server, true, path -> TRUSTED);
  }

  @AfterAll
  static void stop() throws Exception {
    trusting.close();
    untrusting.close();
    refusing.close();
  }

  private static IncusRemote.Builder remote(URI address) {
    return IncusRemote.builder()
        .address(address)
        .clientCertificate(client.certificate())
        .clientKey(client.key())
        .serverFingerprint(server.fingerprint());
  }

  private static String unavailable(IncusRemote remote) {
    IncusUnavailableException e =
        assertThrows(IncusUnavailableException.class, () -> IncusClient.remote(remote));
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    return e.getMessage();
  }

  @Test
  void aTrustingDaemonGivesAWorkingClient() {
    try (IncusClient incus = IncusClient.remote(remote(trusting.address()).build())) {
      assertEquals("6.0.4", incus.server().serverVersion());
      assertEquals(trusting.address().toString(), incus.endpoint());
    }
  }

  @Test
  void nothingListeningIsConnectionRefused() throws Exception {
    int port;
    try (ServerSocket unused = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = unused.getLocalPort();
    }

    String m = unavailable(remote(URI.create("https://127.0.0.1:" + port)).build());

    assertEquals(
        "Incus at https://127.0.0.1:"
            + port
            + " not reachable: connection refused; check the address and that the daemon listens"
            + " (core.https_address)",
        m);
  }

  @Test
  void anotherCertificateThanThePinnedOneIsSaidToBeSo() {
    String m =
        unavailable(remote(trusting.address()).serverFingerprint(client.fingerprint()).build());

    assertTrue(
        m.startsWith(
            "Incus at "
                + trusting.address()
                + " presented a certificate that does not match the pinned one (its SHA-256 is "
                + server.fingerprint()),
        m);
  }

  @Test
  void aDaemonThatDoesNotTrustUsSaysHowToAddOurCertificate() {
    String m = unavailable(remote(untrusting.address()).build());

    assertEquals(
        "Incus at "
            + untrusting.address()
            + " rejected our client certificate: add it with `incus config trust add-certificate "
            + client.certificate()
            + "` on that host",
        m);
  }

  @Test
  void aCertificateRefusedInTheHandshakeSaysTheSame() {
    String m = unavailable(remote(refusing.address()).build());

    assertTrue(m.contains("rejected our client certificate"), m);
  }

  @Test
  void aCertificateTheCaDoesNotVouchForNamesTheCa() {
    IncusRemote remote =
        remote(trusting.address())
            .serverFingerprint(java.util.Optional.empty())
            .caCertificate(client.certificate())
            .build();

    String m = unavailable(remote);

    assertTrue(m.contains("presented a certificate that the CA in " + client.certificate()), m);
  }

  @Test
  void aRequestTimeoutIsAGatewayTimeoutNamingTheRequest() throws Exception {
    try (HttpsTransport https = remote(trusting.address()).build().openTransport()) {
      CoiException e =
          IncusErrors.fromTransport(new HttpTimeoutException("request timed out"), https, "GET /x");

      assertInstanceOf(BackendException.class, e);
      assertEquals(504, ((BackendException) e).status());
      assertTrue(e.getMessage().contains("GET /x"), e.getMessage());
    }
  }
}
