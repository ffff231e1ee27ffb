package dev.coi.incus.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS side of {@link HttpsTransport} against a stand-in server on 127.0.0.1: which server
 * certificates each trust option takes, and that the client certificate is presented. The server's
 * certificate names neither 127.0.0.1 nor localhost, as an Incus daemon's rarely names the address
 * a client dials: pinning must work all the same.
 */
class HttpsTransportTest {
  @TempDir static Path dir;
  static TestCertificates.Identity client;
  static TestCertificates.Identity server;
  static TestCertificates.Identity ca;
  static TestTlsServer pinnedServer;

  @BeforeAll
  static void certificatesAndServer() throws Exception {
    client = TestCertificates.selfSigned(dir, "coi-test-client");
    server = TestCertificates.selfSigned(dir, "coi-test-server");
    ca = TestCertificates.authority(dir, "coi-test-ca");
    pinnedServer = TestTlsServer.start(server, path -> "{\"path\":\"" + path + "\"}");
  }

  @AfterAll
  static void stopServer() throws Exception {
    pinnedServer.close();
  }

  private static HttpsTransport open(URI address, ServerTrust trust) throws Exception {
    return HttpsTransport.open(
        address, client.certificate(), client.key(), trust, Duration.ofSeconds(5));
  }

  /** A server whose certificate the test CA issued for {@code subjectAltName}. */
  private static TestTlsServer issuedByTheCa(String name, String subjectAltName) throws Exception {
    return TestTlsServer.start(
        TestCertificates.issuedBy(ca, dir, name, subjectAltName), path -> "{}");
  }

  private static HttpsTransport trustingTheCa(TestTlsServer server) throws Exception {
    return open(server.address(), ServerTrust.certificateAuthority(ca.certificate()));
  }

  @Test
  void aPinnedCertificateIsTrustedWhateverNamesItBears() throws Exception {
    try (HttpsTransport https =
        open(pinnedServer.address(), ServerTrust.pinnedCertificate(server.certificate()))) {
      HttpResponse response = https.send(HttpRequest.of("GET", "/1.0"));

      assertEquals(200, response.status());
      assertEquals("{\"path\":\"/1.0\"}", response.bodyText());
      assertEquals("application/json", response.header("Content-Type"));
    }
    assertEquals(
        client.x509(), pinnedServer.clientCertificates().get(0), "client certificate presented");
  }

  @Test
  void aPinnedFingerprintMayHaveColonsAndCapitals() throws Exception {
    String fingerprint =
        server.fingerprint().toUpperCase(Locale.ROOT).replaceAll("(..)(?!$)", "$1:");
    try (HttpsTransport https =
        open(pinnedServer.address(), ServerTrust.fingerprint(fingerprint))) {
      assertEquals(200, https.send(HttpRequest.of("GET", "/1.0")).status());
    }
  }

  @Test
  void anotherCertificateThanThePinnedOneIsRefusedNamingWhatWasPresented() throws Exception {
    try (HttpsTransport https =
        open(pinnedServer.address(), ServerTrust.pinnedCertificate(client.certificate()))) {
      IOException e = assertThrows(IOException.class, () -> https.send(HttpRequest.of("GET", "/")));

      ServerCertificateMismatchException mismatch =
          find(e, ServerCertificateMismatchException.class);
      assertNotNull(mismatch, "cause chain: " + e);
      assertEquals(server.fingerprint(), mismatch.presentedFingerprint());
    }
  }

  @Test
  void aCaIssuedCertificateIsTrustedForTheAddressItNames() throws Exception {
    try (TestTlsServer caServer = issuedByTheCa("coi-test-issued", "ip:127.0.0.1");
        HttpsTransport https = trustingTheCa(caServer)) {
      assertEquals(200, https.send(HttpRequest.of("GET", "/1.0")).status());
    }
  }

  @Test
  void aCaIssuedCertificateForAnotherNameIsRefused() throws Exception {
    try (TestTlsServer caServer = issuedByTheCa("coi-test-elsewhere", "dns:elsewhere.example");
        HttpsTransport https = trustingTheCa(caServer)) {
      IOException e = assertThrows(IOException.class, () -> https.send(HttpRequest.of("GET", "/")));

      assertNotNull(find(e, CertificateException.class), "cause chain: " + e);
    }
  }

  @Test
  void theCaOptionDoesNotTrustASelfSignedCertificate() throws Exception {
    try (HttpsTransport https = trustingTheCa(pinnedServer)) {
      IOException e = assertThrows(IOException.class, () -> https.send(HttpRequest.of("GET", "/")));
      assertNotNull(find(e, CertificateException.class), "cause chain: " + e);
    }
  }

  @Test
  void theAddressGetsTheDefaultPortAndMustBeHttpsAlone() {
    assertEquals(
        URI.create("https://build-host:8443"),
        HttpsTransport.normalize(URI.create("https://build-host/")));
    assertEquals(
        URI.create("https://10.0.0.1:9443"),
        HttpsTransport.normalize(URI.create("https://10.0.0.1:9443")));
    assertThrows(
        IllegalArgumentException.class,
        () -> HttpsTransport.normalize(URI.create("http://build-host:8443")));
    IllegalArgumentException withPath =
        assertThrows(
            IllegalArgumentException.class,
            () -> HttpsTransport.normalize(URI.create("https://build-host:8443/1.0")));
    assertTrue(withPath.getMessage().contains("address alone"), withPath.getMessage());
  }

  @Test
  void aClosedTransportRefusesRequests() throws Exception {
    HttpsTransport https =
        open(pinnedServer.address(), ServerTrust.pinnedCertificate(server.certificate()));
    https.close();
    https.close();
    assertThrows(IOException.class, () -> https.send(HttpRequest.of("GET", "/1.0")));
  }

  @Test
  void aMalformedFingerprintSaysWhatOneLooksLike() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ServerTrust.fingerprint("abc"));
    assertTrue(e.getMessage().contains("64 hex digits"), e.getMessage());
    assertInstanceOf(ServerTrust.class, ServerTrust.fingerprint("a".repeat(64)));
  }

  static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
