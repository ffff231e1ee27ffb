package dev.coi.incus.transport;

import java.security.cert.CertificateException;

/**
 * The daemon presented a certificate other than the pinned one: another host answers at that
 * address, or the daemon's certificate was replaced. Found in the cause chain of the handshake
 * failure.
 */
public final class ServerCertificateMismatchException extends CertificateException {
  private static final long serialVersionUID = 1L;

  private final String presentedFingerprint;

  ServerCertificateMismatchException(String presentedFingerprint) {
    super(
        "the server's certificate (SHA-256 "
            + presentedFingerprint
            + ") does not match the pinned one");
    this.presentedFingerprint = presentedFingerprint;
  }

  /** The SHA-256 fingerprint of the certificate the server presented, in lower-case hex. */
  public String presentedFingerprint() {
    return presentedFingerprint;
  }
}
