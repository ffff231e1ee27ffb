package dev.coi.incus;

import dev.coi.api.value.ValueStyle;
import java.util.List;
import java.util.Map;
import org.immutables.value.Value;

/**
 * A new container: its image, config, devices and profiles, created (and by default started) in one
 * request.
 *
 * <pre>{@code
 * client.instances().create(InstanceCreate.builder()
 *     .name("demo").image("coi-sandbox").ephemeral(true)
 *     .putConfig("user.coi.slot", "1")
 *     .putDevices("workspace", Map.of("type", "disk", "source", "/src/app", "path", "/workspace", "shift", "true"))
 *     .build());
 * }</pre>
 */
@Value.Immutable
@ValueStyle
public abstract class InstanceCreate {
  InstanceCreate() {}

  public abstract String name();

  /** An image alias, or a fingerprint (12 to 64 hex digits). */
  public abstract String image();

  public abstract Map<String, String> config();

  public abstract Map<String, Map<String, String>> devices();

  /** The profiles to apply; {@code default} when none is given. */
  @Value.Default
  public List<String> profiles() {
    return List.of("default");
  }

  @Value.Default
  public boolean ephemeral() {
    return false;
  }

  /** True (the default) to start the instance in the same request. */
  @Value.Default
  public boolean start() {
    return true;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds an {@link InstanceCreate}. */
  public static class Builder extends ImmutableInstanceCreate.Builder {
    Builder() {}
  }
}
