package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coi.api.value.ValueStyle;
import java.util.Map;
import org.immutables.value.Value;

/** A background operation of the daemon, as last seen: its state, error and metadata. */
@Value.Immutable
@ValueStyle
public abstract class Operation {
  Operation() {}

  public abstract String id();

  public abstract String description();

  /** {@code Pending}, {@code Running}, {@code Success}, {@code Failure} or {@code Cancelled}. */
  public abstract String status();

  public abstract int statusCode();

  /** The error of a failed operation; empty otherwise. */
  public abstract String error();

  /** The operation's own metadata (progress, exec return code, file descriptors …), as strings. */
  public abstract Map<String, String> metadata();

  /**
   * The paths of what the operation works on ({@code /1.0/instances/demo} …), so that a caller can
   * tell its own operations from another client's.
   */
  public abstract java.util.List<String> resources();

  public boolean isDone() {
    return !"Pending".equals(status()) && !"Running".equals(status());
  }

  static Operation of(JsonNode json) {
    ImmutableOperation.Builder op =
        ImmutableOperation.builder()
            .id(json.path("id").asText())
            .description(json.path("description").asText())
            .status(json.path("status").asText())
            .statusCode(json.path("status_code").asInt())
            .error(json.path("err").asText(""));
    json.path("resources").forEach(paths -> paths.forEach(path -> op.addResources(path.asText())));
    return op.putAllMetadata(Json.texts(json.path("metadata"))).build();
  }
}
