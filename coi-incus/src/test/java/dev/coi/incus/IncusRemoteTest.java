package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.InvalidSpecException;
import dev.coi.incus.transport.TestCertificates;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The remote's validation: each mistake gets one line that names it and what to do. */
class IncusRemoteTest {
  @TempDir Path dir;
  Path certificate;
  Path key;
  Path serverCertificate;

  @BeforeEach
  void files() throws IOException {
    // check() looks at the files' presence; their contents are read when connecting.
    certificate = Files.writeString(dir.resolve("client.crt"), "");
    key = Files.writeString(dir.resolve("client.key"), "");
    serverCertificate = Files.writeString(dir.resolve("server.crt"), "");
  }

  private IncusRemote.Builder remote() {
    return IncusRemote.builder()
        .address("https://127.0.0.1:8443")
        .clientCertificate(certificate)
        .clientKey(key);
  }

  private static String message(Executable build) {
    InvalidSpecException e = assertThrows(InvalidSpecException.class, build);
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    return e.getMessage();
  }

  /** The message of building a valid {@link #remote()} that {@code mistake} spoils. */
  private String refusal(UnaryOperator<IncusRemote.Builder> mistake) {
    return message(() -> mistake.apply(remote()).build());
  }

  @Test
  void aRemoteHasItsAddressFilesAndOneTrustOption() {
    IncusRemote remote = remote().serverCertificate(serverCertificate).build();

    assertEquals(URI.create("https://127.0.0.1:8443"), remote.address());
    assertEquals(Duration.ofSeconds(10), remote.connectTimeout());
    assertEquals(
        "5dbbed0e88e0a4e249c22ca075a9af521f1fca725495edcb9f3fc21bfd9130fd",
        remote.toBuilder()
            .serverCertificate(java.util.Optional.empty())
            .serverFingerprint("5dbbed0e88e0a4e249c22ca075a9af521f1fca725495edcb9f3fc21bfd9130fd")
            .build()
            .serverFingerprint()
            .orElseThrow());
  }

  @Test
  void aMissingFileIsNamed() {
    Path missing = dir.resolve("nope.key");
    String m = refusal(r -> r.clientKey(missing).serverCertificate(serverCertificate));

    assertTrue(m.contains("client key " + missing + " does not exist"), m);
  }

  @Test
  void withoutATrustOptionTheChoicesAreExplained() {
    String m = refusal(r -> r);

    assertTrue(m.contains("say how to trust the daemon's certificate"), m);
    assertTrue(m.contains("serverCertificate"), m);
    assertTrue(m.contains("serverFingerprint"), m);
    assertTrue(m.contains("caCertificate"), m);
  }

  @Test
  void twoTrustOptionsAreOneTooMany() {
    String m =
        refusal(r -> r.serverCertificate(serverCertificate).caCertificate(serverCertificate));

    assertTrue(m.contains("not serverCertificate and caCertificate"), m);
  }

  @Test
  void aMalformedFingerprintSaysWhereToFindTheRightOne() {
    String m = refusal(r -> r.serverFingerprint("5d:bb"));

    assertTrue(m.contains("64 hex digits"), m);
    assertTrue(m.contains("incus info"), m);
  }

  @Test
  void theAddressMustBeHttps() {
    String m =
        refusal(r -> r.address("http://127.0.0.1:8443").serverCertificate(serverCertificate));

    assertTrue(m.contains("must be https://host[:port]"), m);
  }

  @Test
  void aKeyThatIsNotTheCertificatesFailsBeforeAnyConnection() throws IOException {
    TestCertificates.Identity mine = TestCertificates.selfSigned(dir, "coi-test-mine");
    TestCertificates.Identity other = TestCertificates.selfSigned(dir, "coi-test-other");
    IncusRemote remote =
        remote()
            .clientCertificate(mine.certificate())
            .clientKey(other.key())
            .serverCertificate(other.certificate())
            .build();

    String m = message(() -> IncusClient.remote(remote));

    assertTrue(m.contains(other.key() + " is not the key of the client certificate"), m);
  }
}
