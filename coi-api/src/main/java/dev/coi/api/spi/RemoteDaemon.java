package dev.coi.api.spi;

import dev.coi.api.value.ValueStyle;
import java.nio.file.Path;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * A remote container daemon as configuration gives it ({@code [incus.remote]}): its address and the
 * files that prove who each side is. Whether the combination is enough is the backend's to say,
 * when it is configured.
 */
@Value.Immutable
@ValueStyle
public abstract class RemoteDaemon {
  RemoteDaemon() {}

  /** {@code https://host:8443}. */
  public abstract String address();

  public abstract Optional<Path> clientCertificate();

  public abstract Optional<Path> clientKey();

  /** The server's certificate, to pin it. */
  public abstract Optional<Path> serverCertificate();

  /** The SHA-256 fingerprint of the server's certificate, to pin it. */
  public abstract Optional<String> serverFingerprint();

  /** A CA that signed the server's certificate. */
  public abstract Optional<Path> caCertificate();

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link RemoteDaemon}. */
  public static class Builder extends ImmutableRemoteDaemon.Builder {
    Builder() {}
  }
}
