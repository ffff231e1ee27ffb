package dev.coi.examples.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coi.api.SessionInfo;
import dev.coi.api.SessionState;
import java.nio.file.Path;
import java.time.Instant;

/** A {@link SessionInfo} as a JSON object and back: every field, by name. */
final class SessionJsonCodec {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SessionJsonCodec() {}

  static ObjectNode write(SessionInfo s) {
    ObjectNode node =
        JSON.createObjectNode()
            .put("id", s.id())
            .put("container", s.container())
            .put("workspace", s.workspace().toString())
            .put("slot", s.slot())
            .put("persistent", s.persistent())
            .put("created", s.created().toString());
    s.saved().ifPresent(t -> node.put("saved", t.toString()));
    s.resumedFrom().ifPresent(r -> node.put("resumedFrom", r));
    ObjectNode labels = node.putObject("labels");
    s.labels().forEach(labels::put);
    return node;
  }

  static SessionInfo read(JsonNode node) {
    SessionInfo.Builder info =
        SessionInfo.builder()
            .id(node.get("id").asText())
            .container(node.get("container").asText())
            .workspace(Path.of(node.get("workspace").asText()))
            .slot(node.get("slot").asInt())
            .persistent(node.get("persistent").asBoolean())
            .state(SessionState.SAVED)
            .created(Instant.parse(node.get("created").asText()));
    if (node.has("saved")) {
      info.saved(Instant.parse(node.get("saved").asText()));
    }
    if (node.has("resumedFrom")) {
      info.resumedFrom(node.get("resumedFrom").asText());
    }
    node.get("labels").properties().forEach(e -> info.putLabels(e.getKey(), e.getValue().asText()));
    return info.build();
  }
}
