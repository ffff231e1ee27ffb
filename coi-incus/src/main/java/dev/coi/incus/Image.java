package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coi.api.value.ValueStyle;
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

  static Image of(JsonNode json) {
    ImmutableImage.Builder image =
        ImmutableImage.builder()
            .fingerprint(json.path("fingerprint").asText())
            .size(json.path("size").asLong());
    json.path("aliases").forEach(a -> image.addAliases(a.path("name").asText()));
    json.path("properties")
        .fields()
        .forEachRemaining(e -> image.putProperties(e.getKey(), e.getValue().asText()));
    return image.build();
  }
}
