package dev.coi.incus.transport;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly one server certificate, known by its SHA-256 fingerprint, whatever names it bears.
 *
 * <p>Why no name check: an Incus daemon's self-signed certificate is issued to its host name
 * ({@code root@host}), rarely to the address a client dials, so the usual check that the name
 * matches the address would refuse it. The pin is the stronger proof: only the holder of that exact
 * certificate's key completes the handshake (the TLS layer checks the server's signature with the
 * certificate's key whatever the trust manager says). It extends {@link X509ExtendedTrustManager}
 * (through {@link CertificateOnlyTrustManager}) on purpose: the JDK wraps a plain {@code
 * X509TrustManager} in one that adds the name check itself, and {@code java.net.http} always asks
 * for it.
 */
final class PinnedServerTrustManager extends CertificateOnlyTrustManager {
  private final byte[] pinnedSha256;

  PinnedServerTrustManager(byte[] pinnedSha256) {
    this.pinnedSha256 = pinnedSha256.clone();
  }

  static byte[] sha256(X509Certificate certificate) throws CertificateEncodingException {
    try {
      return MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private void check(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("the server presented no certificate");
    }
    byte[] presented = sha256(chain[0]);
    if (!MessageDigest.isEqual(presented, pinnedSha256)) {
      throw new ServerCertificateMismatchException(HexFormat.of().formatHex(presented));
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("a client transport does not accept clients");
  }
}
