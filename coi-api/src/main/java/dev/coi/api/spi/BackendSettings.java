package dev.coi.api.spi;

import dev.coi.api.value.ValueStyle;
import java.nio.file.Path;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * What coi's configuration says about the container backend, given to {@link
 * ContainerBackend#configure} once before first use: which backend to use, where the local daemon's
 * socket is, which remote daemon to talk to instead, and whether mounts may be shifted. Every field
 * is optional; a backend uses those that apply to it and ignores the rest.
 *
 * <pre>{@code
 * backend.configure(BackendSettings.builder().socket(Path.of("/run/incus/unix.socket")).build());
 * }</pre>
 */
@Value.Immutable
@ValueStyle
public abstract class BackendSettings {
  BackendSettings() {}

  /**
   * The backend configuration names ({@code defaults.backend}, or {@code SessionSpec.backend()});
   * empty: the available one of highest priority. For the engine's choice: backends need not read
   * it.
   */
  public abstract Optional<String> backend();

  /** The local daemon's socket ({@code incus.socket}); empty: found as the daemon's tools do. */
  public abstract Optional<Path> socket();

  /** A remote daemon to use instead of the local one ({@code [incus.remote]}). */
  public abstract Optional<RemoteDaemon> remote();

  /**
   * Whether mounts may be shifted where the kernel can (true by default); false maps them with an
   * id map even there.
   */
  @Value.Default
  public boolean shiftMounts() {
    return true;
  }

  /** No settings: the local daemon, found as its tools find it. */
  public static BackendSettings none() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link BackendSettings}. */
  public static class Builder extends ImmutableBackendSettings.Builder {
    Builder() {}
  }
}
