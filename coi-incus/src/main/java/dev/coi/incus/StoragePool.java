package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coi.api.value.ValueStyle;
import org.immutables.value.Value;

/** A storage pool of the daemon: its name, driver, status and space, for health checks. */
@Value.Immutable
@ValueStyle
public abstract class StoragePool {
  StoragePool() {}

  public abstract String name();

  /** {@code btrfs}, {@code dir}, {@code zfs}, … */
  public abstract String driver();

  /** {@code Created} when usable. */
  public abstract String status();

  /** Bytes used, as the daemon reports them; 0 when it does not. */
  public abstract long usedBytes();

  /** Bytes in all; 0 when the daemon does not say. */
  public abstract long totalBytes();

  static StoragePool of(JsonNode pool, JsonNode resources) {
    return ImmutableStoragePool.builder()
        .name(pool.path("name").asText())
        .driver(pool.path("driver").asText())
        .status(pool.path("status").asText())
        .usedBytes(resources.path("space").path("used").asLong())
        .totalBytes(resources.path("space").path("total").asLong())
        .build();
  }
}
