package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coi.api.value.ValueStyle;
import java.util.Map;
import org.immutables.value.Value;

/** One event from the daemon's event stream: its type and metadata. */
@Value.Immutable
@ValueStyle
public abstract class Event {
  Event() {}

  /** {@code lifecycle}, {@code operation} or {@code logging}. */
  public abstract String type();

  public abstract String timestamp();

  /** The event's metadata; nested objects come as JSON text. */
  public abstract Map<String, String> metadata();

  /** A lifecycle event's action, such as {@code instance-started}; empty for other types. */
  public String action() {
    return metadata().getOrDefault("action", "");
  }

  /** What a lifecycle event is about, such as {@code /1.0/instances/demo}. */
  public String source() {
    return metadata().getOrDefault("source", "");
  }

  static Event of(JsonNode json) {
    return ImmutableEvent.builder()
        .type(json.path("type").asText())
        .timestamp(json.path("timestamp").asText())
        .putAllMetadata(Json.texts(json.path("metadata")))
        .build();
  }
}
