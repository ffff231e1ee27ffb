package dev.coi.incus;

import dev.coi.api.value.ValueStyle;
import java.util.List;
import org.immutables.value.Value;

/** What {@code GET /1.0} says of the daemon: its version, extensions and whether it trusts us. */
@Value.Immutable
@ValueStyle
public abstract class ServerInfo {
  ServerInfo() {}

  public abstract String serverVersion();

  /**
   * The API extensions the daemon supports; check one with {@link IncusClient#requireExtensions}.
   */
  public abstract List<String> apiExtensions();

  /** True when the daemon trusts this client (always so on the local socket as root or admin). */
  public abstract boolean isTrusted();

  /** The storage driver of the default pool, such as {@code btrfs} or {@code dir}. */
  public abstract String storageDriver();

  /**
   * True when the daemon's kernel can idmap mounts ({@code kernel_features.idmapped_mounts}), which
   * a disk device's {@code shift} needs.
   */
  public abstract boolean idmappedMounts();

  /** The daemon's TLS certificate (PEM), to pin it for a remote connection. */
  public abstract String certificate();

  /** The firewall driver Incus uses for its networks: {@code nftables} or {@code xtables}. */
  @Value.Default
  public String firewall() {
    return "";
  }

  /**
   * The SHA-256 fingerprint of that certificate ({@code certificate_fingerprint}), as {@code incus
   * info} shows it: the daemon's identity, the same over the socket and over HTTPS.
   */
  public abstract String certificateFingerprint();

  static ServerInfo of(com.fasterxml.jackson.databind.JsonNode json) {
    ImmutableServerInfo.Builder info =
        ImmutableServerInfo.builder()
            .serverVersion(json.path("environment").path("server_version").asText())
            .trusted("trusted".equals(json.path("auth").asText()))
            .storageDriver(json.path("environment").path("storage").asText())
            .firewall(json.path("environment").path("firewall").asText(""))
            .idmappedMounts(
                "true"
                    .equals(
                        json.path("environment")
                            .path("kernel_features")
                            .path("idmapped_mounts")
                            .asText()))
            .certificate(json.path("environment").path("certificate").asText())
            .certificateFingerprint(
                json.path("environment").path("certificate_fingerprint").asText());
    json.path("api_extensions").forEach(e -> info.addApiExtensions(e.asText()));
    return info.build();
  }
}
