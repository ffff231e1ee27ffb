package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coi.api.value.ValueStyle;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.immutables.value.Value;

/** An instance as the daemon describes it. Config and device values are strings, as in Incus. */
@Value.Immutable
@ValueStyle
public abstract class Instance {
  Instance() {}

  public abstract String name();

  /** Incus's status word: {@code Running}, {@code Stopped}, {@code Frozen}, {@code Error} … */
  public abstract String status();

  public abstract boolean ephemeral();

  /** The instance's own config keys (not those it inherits from profiles). */
  public abstract Map<String, String> config();

  /** The instance's own devices, by name; each a map of string properties. */
  public abstract Map<String, Map<String, String>> devices();

  public abstract List<String> profiles();

  /** Its devices with its profiles' applied: what the instance really has. */
  public abstract Map<String, Map<String, String>> expandedDevices();

  /** The entity tag of this state, for a conditional update; absent in lists. */
  public abstract Optional<String> etag();

  public boolean isRunning() {
    return "Running".equals(status());
  }

  public boolean isStopped() {
    return "Stopped".equals(status());
  }

  static Instance of(JsonNode json, Optional<String> etag) {
    ImmutableInstance.Builder instance =
        ImmutableInstance.builder()
            .name(json.path("name").asText())
            .status(json.path("status").asText())
            .ephemeral(json.path("ephemeral").asBoolean())
            .etag(etag);
    json.path("config")
        .fields()
        .forEachRemaining(e -> instance.putConfig(e.getKey(), e.getValue().asText()));
    json.path("devices")
        .fields()
        .forEachRemaining(e -> instance.putDevices(e.getKey(), Json.strings(e.getValue())));
    json.path("expanded_devices")
        .fields()
        .forEachRemaining(e -> instance.putExpandedDevices(e.getKey(), Json.strings(e.getValue())));
    json.path("profiles").forEach(p -> instance.addProfiles(p.asText()));
    return instance.build();
  }
}
