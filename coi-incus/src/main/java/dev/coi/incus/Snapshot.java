package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coi.api.value.ValueStyle;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.immutables.value.Value;

/** A snapshot of an instance: its name and when it was taken. */
@Value.Immutable
@ValueStyle
public abstract class Snapshot {
  Snapshot() {}

  /** The snapshot's own name, without the instance's ({@code "before-upgrade"}). */
  public abstract String name();

  public abstract Instant created();

  static Snapshot of(JsonNode json) {
    Instant created;
    try {
      created = Instant.parse(json.path("created_at").asText());
    } catch (DateTimeParseException unknown) {
      created = Instant.EPOCH;
    }
    String name = json.path("name").asText();
    // Older daemons name snapshots "instance/snapshot".
    return ImmutableSnapshot.builder()
        .name(name.substring(name.lastIndexOf('/') + 1))
        .created(created)
        .build();
  }
}
