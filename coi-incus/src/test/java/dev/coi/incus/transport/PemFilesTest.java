package dev.coi.incus.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading keys in the forms users have them: PKCS#8, and the SEC1 form {@code incus} writes. */
class PemFilesTest {
  @TempDir static Path dir;
  static TestCertificates.Identity ec;
  static TestCertificates.Identity rsa;

  @BeforeAll
  static void certificates() throws Exception {
    ec = TestCertificates.selfSigned(dir, "coi-test-ec");
    rsa = TestCertificates.selfSignedRsa(dir, "coi-test-rsa");
  }

  @Test
  void readsAPkcs8Key() throws Exception {
    PrivateKey key = PemFiles.privateKey(ec.key(), ec.x509());
    assertArrayEquals(ec.privateKey().getEncoded(), key.getEncoded());
  }

  @Test
  void readsAnEcKeyInSec1FormWithParametersBeforeIt() throws Exception {
    // openssl writes "EC PARAMETERS" first; incus writes the key alone.
    Path sec1 = dir.resolve("sec1.key");
    Files.writeString(
        sec1,
        TestCertificates.pem("EC PARAMETERS", new byte[] {0x06, 0x05, 0x2b, (byte) 0x81, 4, 0, 34})
            + TestCertificates.pem("EC PRIVATE KEY", innerKey(ec)));

    PrivateKey key = PemFiles.privateKey(sec1, ec.x509());

    assertEquals(ec.privateKey(), key);
  }

  @Test
  void readsAnRsaKeyInPkcs1Form() throws Exception {
    Path pkcs1 = dir.resolve("pkcs1.key");
    Files.writeString(pkcs1, TestCertificates.pem("RSA PRIVATE KEY", innerKey(rsa)));

    assertEquals(rsa.privateKey(), PemFiles.privateKey(pkcs1, rsa.x509()));
  }

  @Test
  void aKeyOfAnotherCertificateIsNamedAsSuch() throws Exception {
    TestCertificates.Identity other = TestCertificates.selfSigned(dir, "coi-test-other");

    GeneralSecurityException e =
        assertThrows(
            GeneralSecurityException.class, () -> PemFiles.privateKey(other.key(), ec.x509()));

    assertTrue(e.getMessage().contains("is not the key of the client certificate"), e.getMessage());
    assertTrue(e.getMessage().contains(other.key().toString()), e.getMessage());
  }

  @Test
  void anEncryptedKeyIsRefusedSayingSo() throws Exception {
    Path encrypted = dir.resolve("encrypted.key");
    Files.writeString(encrypted, TestCertificates.pem("ENCRYPTED PRIVATE KEY", new byte[] {1}));

    GeneralSecurityException e =
        assertThrows(
            GeneralSecurityException.class, () -> PemFiles.privateKey(encrypted, ec.x509()));
    assertTrue(e.getMessage().contains("encrypted"), e.getMessage());
  }

  @Test
  void aFileWithoutKeyOrCertificateSaysWhatWasExpected() throws Exception {
    GeneralSecurityException noKey =
        assertThrows(
            GeneralSecurityException.class, () -> PemFiles.privateKey(ec.certificate(), ec.x509()));
    assertTrue(noKey.getMessage().contains("holds no PEM private key"), noKey.getMessage());

    GeneralSecurityException noCertificate =
        assertThrows(GeneralSecurityException.class, () -> PemFiles.certificates(ec.key()));
    assertTrue(
        noCertificate.getMessage().contains(ec.key().toString()), noCertificate.getMessage());
  }

  /**
   * The key inside a PKCS#8 encoding (SEC1 for EC, PKCS#1 for RSA): the OCTET STRING after the
   * version and the algorithm identifier.
   */
  private static byte[] innerKey(TestCertificates.Identity identity) throws Exception {
    byte[] pkcs8 = identity.privateKey().getEncoded();
    int offset = headerLength(pkcs8, 0) + 3;
    offset += PemFiles.algorithmIdentifier(identity.x509().getPublicKey()).length;
    int contents = offset + headerLength(pkcs8, offset);
    return Arrays.copyOfRange(pkcs8, contents, pkcs8.length);
  }

  private static int headerLength(byte[] der, int offset) {
    int first = der[offset + 1] & 0xff;
    return first < 0x80 ? 2 : 2 + (first & 0x7f);
  }
}
