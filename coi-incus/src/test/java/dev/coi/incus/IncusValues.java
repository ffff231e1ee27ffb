package dev.coi.incus;

import java.util.Map;
import java.util.Optional;

/** Builds the client's values in tests of other packages, as the daemon would describe them. */
public final class IncusValues {
  private IncusValues() {}

  public static ServerInfo server(
      String version, String firewall, java.util.List<String> extensions) {
    return ImmutableServerInfo.builder()
        .serverVersion(version)
        .firewall(firewall)
        .apiExtensions(extensions)
        .trusted(true)
        .storageDriver("dir")
        .idmappedMounts(true)
        .certificate("")
        .certificateFingerprint("")
        .build();
  }

  public static Instance instance(String name, String status, Map<String, String> config) {
    return ImmutableInstance.builder()
        .name(name)
        .status(status)
        .ephemeral(false)
        .config(config)
        .etag(Optional.empty())
        .build();
  }
}
