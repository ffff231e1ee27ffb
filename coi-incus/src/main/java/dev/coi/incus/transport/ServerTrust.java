package dev.coi.incus.transport;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How a remote daemon's TLS certificate is trusted. An Incus daemon presents a self-signed
 * certificate, so a client pins it: by the certificate itself or by its SHA-256 fingerprint (as
 * {@code incus info} shows it). A daemon in PKI mode has a certificate issued by a CA, checked the
 * usual way, its names included.
 */
public final class ServerTrust {
  private final String description;
  private final TrustSource source;

  private ServerTrust(String description, TrustSource source) {
    this.description = description;
    this.source = source;
  }

  /** Trusts exactly the (first) certificate in this PEM file, such as the daemon's server.crt. */
  public static ServerTrust pinnedCertificate(Path pem) {
    return new ServerTrust(
        "the certificate pinned from " + pem,
        () -> {
          X509Certificate pinned = PemFiles.certificates(pem).get(0);
          return new PinnedServerTrustManager(PinnedServerTrustManager.sha256(pinned));
        });
  }

  /**
   * Trusts exactly the certificate with this SHA-256 fingerprint: 64 hex digits, colons and case
   * ignored.
   *
   * @throws IllegalArgumentException when it is not such a fingerprint
   */
  public static ServerTrust fingerprint(String sha256) {
    byte[] expected = parseFingerprint(sha256);
    return new ServerTrust(
        "the pinned fingerprint " + HexFormat.of().formatHex(expected),
        () -> new PinnedServerTrustManager(expected));
  }

  /** Trusts certificates issued by the CA(s) in this PEM file, for the name in the address. */
  public static ServerTrust certificateAuthority(Path pem) {
    return new ServerTrust(
        "the CA in " + pem,
        () -> {
          List<X509Certificate> authorities = PemFiles.certificates(pem);
          KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
          store.load(null, null);
          for (int i = 0; i < authorities.size(); i++) {
            store.setCertificateEntry("ca-" + i, authorities.get(i));
          }
          TrustManagerFactory factory =
              TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
          factory.init(store);
          for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager extended) {
              return extended;
            }
          }
          throw new GeneralSecurityException("the JDK offers no X.509 trust manager");
        });
  }

  static byte[] parseFingerprint(String sha256) {
    String hex = sha256.replace(":", "").strip().toLowerCase(Locale.ROOT);
    if (!hex.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException(
          "'"
              + sha256
              + "' is not a SHA-256 fingerprint: give 64 hex digits, as in `incus info` under"
              + " certificate_fingerprint");
    }
    return HexFormat.of().parseHex(hex);
  }

  /** For messages: "the pinned fingerprint 5dbbed…". */
  public String describe() {
    return description;
  }

  X509ExtendedTrustManager trustManager() throws IOException, GeneralSecurityException {
    return source.open();
  }

  @Override
  public String toString() {
    return description;
  }

  private interface TrustSource {
    X509ExtendedTrustManager open() throws IOException, GeneralSecurityException;
  }
}
