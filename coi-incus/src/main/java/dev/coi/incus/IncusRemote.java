package dev.coi.incus;

import dev.coi.api.InvalidSpecException;
import dev.coi.api.value.ValueStyle;
import dev.coi.incus.transport.HttpsTransport;
import dev.coi.incus.transport.ServerTrust;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * A remote Incus daemon, reached over HTTPS: its address, this client's certificate and key, and
 * how to trust the daemon's own certificate. Give exactly one of {@link #serverCertificate()} (pins
 * that certificate), {@link #serverFingerprint()} (pins the certificate with that SHA-256
 * fingerprint) or {@link #caCertificate()} (a daemon whose certificate a CA issued). The daemon
 * must listen on the network ({@code incus config set core.https_address :8443}) and trust the
 * client certificate ({@code incus config trust add-certificate client.crt}).
 *
 * <pre>{@code
 * Path incusConfig = Path.of(System.getProperty("user.home"), ".config/incus");
 * IncusRemote remote = IncusRemote.builder()
 *     .address("https://build-host:8443")
 *     .clientCertificate(incusConfig.resolve("client.crt"))
 *     .clientKey(incusConfig.resolve("client.key"))
 *     .serverFingerprint("5dbbed0e88e0a4e249c22ca075a9af521f1fca725495edcb9f3fc21bfd9130fd")
 *     .build();
 * try (IncusClient incus = IncusClient.remote(remote)) {
 *   incus.instances().list();
 * }
 * }</pre>
 */
@Value.Immutable
@ValueStyle
public abstract class IncusRemote {
  IncusRemote() {}

  /** {@code https://host[:port]}; the port is 8443 when not given. */
  public abstract URI address();

  /** This client's certificate, PEM; the daemon must trust it. */
  public abstract Path clientCertificate();

  /**
   * The client certificate's private key, PEM, unencrypted: PKCS#8, or the EC or RSA forms that
   * {@code incus} and {@code openssl} write.
   */
  public abstract Path clientKey();

  /** The daemon's certificate, PEM (a copy of its {@code server.crt}), trusted exactly. */
  public abstract Optional<Path> serverCertificate();

  /**
   * The SHA-256 fingerprint of the daemon's certificate, 64 hex digits (colons allowed), as {@code
   * incus info} shows it under {@code certificate_fingerprint}.
   */
  public abstract Optional<String> serverFingerprint();

  /** The CA that issued the daemon's certificate, PEM; the address must match its names. */
  public abstract Optional<Path> caCertificate();

  /** How long to wait for a connection; requests have their own timeouts. */
  @Value.Default
  public Duration connectTimeout() {
    return Duration.ofSeconds(10);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this remote's values, to derive another. */
  public Builder toBuilder() {
    return builder().from(this);
  }

  @Value.Check
  void check() {
    String scheme = address().getScheme();
    if (!"https".equalsIgnoreCase(scheme) || address().getHost() == null) {
      throw new InvalidSpecException(
          "Incus remote address '"
              + address()
              + "' must be https://host[:port], the daemon's core.https_address");
    }
    requireReadable(clientCertificate(), "client certificate");
    requireReadable(clientKey(), "client key");
    serverCertificate().ifPresent(p -> requireReadable(p, "server certificate"));
    caCertificate().ifPresent(p -> requireReadable(p, "CA certificate"));
    List<String> trustOptions = new ArrayList<>();
    serverCertificate().ifPresent(p -> trustOptions.add("serverCertificate"));
    serverFingerprint().ifPresent(p -> trustOptions.add("serverFingerprint"));
    caCertificate().ifPresent(p -> trustOptions.add("caCertificate"));
    if (trustOptions.isEmpty()) {
      throw new InvalidSpecException(
          "Incus remote "
              + address()
              + ": say how to trust the daemon's certificate: serverCertificate (a copy of its"
              + " server.crt), serverFingerprint (its SHA-256, shown by `incus info` as"
              + " certificate_fingerprint) or caCertificate (for a daemon with a CA-issued"
              + " certificate)");
    }
    if (trustOptions.size() > 1) {
      throw new InvalidSpecException(
          "Incus remote "
              + address()
              + ": give one way to trust the daemon's certificate, not "
              + String.join(" and ", trustOptions));
    }
    serverFingerprint().ifPresent(this::trustFingerprint);
    if (connectTimeout().isNegative() || connectTimeout().isZero()) {
      throw new InvalidSpecException(
          "Incus remote " + address() + ": connectTimeout must be positive");
    }
  }

  private static void requireReadable(Path file, String what) {
    if (!Files.exists(file)) {
      throw new InvalidSpecException("Incus remote: " + what + " " + file + " does not exist");
    }
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new InvalidSpecException(
          "Incus remote: " + what + " " + file + " is not a readable file");
    }
  }

  private ServerTrust trustFingerprint(String fingerprint) {
    try {
      return ServerTrust.fingerprint(fingerprint);
    } catch (IllegalArgumentException e) {
      throw new InvalidSpecException(
          "Incus remote " + address() + ": serverFingerprint " + e.getMessage());
    }
  }

  private ServerTrust trust() {
    if (serverCertificate().isPresent()) {
      return ServerTrust.pinnedCertificate(serverCertificate().get());
    }
    if (caCertificate().isPresent()) {
      return ServerTrust.certificateAuthority(caCertificate().get());
    }
    return trustFingerprint(serverFingerprint().orElseThrow());
  }

  /** The transport, with the certificate and key files read (and checked to belong together). */
  HttpsTransport openTransport() {
    try {
      return HttpsTransport.open(
          address(), clientCertificate(), clientKey(), trust(), connectTimeout());
    } catch (NoSuchFileException e) {
      throw new InvalidSpecException("Incus remote: " + e.getFile() + " does not exist");
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw new InvalidSpecException("Incus remote " + address() + ": " + e.getMessage());
    }
  }

  /**
   * A client of this daemon, once it answered and said it trusts the client certificate: an
   * untrusted client could do nothing but ask {@code GET /1.0}, so failing here says why at once.
   */
  IncusClient connect() {
    HttpsTransport transport = openTransport();
    IncusClient client = new IncusClient(transport);
    try {
      if (!client.server().isTrusted()) {
        throw IncusErrors.clientNotTrusted(transport);
      }
      return client;
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
  }

  /** Builds an {@link IncusRemote}. */
  public static class Builder extends ImmutableIncusRemote.Builder {
    Builder() {}

    /** The address as text: {@code https://host[:port]}. */
    public Builder address(String address) {
      try {
        return address(URI.create(address));
      } catch (IllegalArgumentException e) {
        throw new InvalidSpecException(
            "Incus remote address '" + address + "' is not a URI: " + e.getMessage());
      }
    }
  }
}
