package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coi.api.value.ValueStyle;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.immutables.value.Value;

/** An image in the daemon's store: fingerprint, aliases, size and properties. */
@Value.Immutable
@ValueStyle
public abstract class Image {
  Image() {}

  public abstract String fingerprint();

  public abstract List<String> aliases();

  /** The size of the image file(s) in bytes. */
  public abstract long size();

  public abstract Map<String, String> properties();

  /** When the image was made (imported or published); the epoch when the daemon did not say. */
  @Value.Default
  public Instant created() {
    return Instant.EPOCH;
  }

  static Image of(JsonNode json) {
    ImmutableImage.Builder image =
        ImmutableImage.builder()
            .fingerprint(json.path("fingerprint").asText())
            .size(json.path("size").asLong())
            .created(created(json.path("created_at").asText("")));
    json.path("aliases").forEach(a -> image.addAliases(a.path("name").asText()));
    json.path("properties")
        .fields()
        .forEachRemaining(e -> image.putProperties(e.getKey(), e.getValue().asText()));
    return image.build();
  }

  private static Instant created(String text) {
    try {
      return Instant.parse(text);
    } catch (java.time.format.DateTimeParseException unreadable) {
      return Instant.EPOCH;
    }
  }
}
