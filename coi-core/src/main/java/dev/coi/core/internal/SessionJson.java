package dev.coi.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coi.api.SessionInfo;
import dev.coi.api.SessionState;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * A saved session's description as the file store writes it ({@code session.json}): instants as
 * ISO-8601 strings, paths as strings, labels as an object. Written field by field rather than bound
 * to {@link SessionInfo}, so that coi-api needs no Jackson and the file reads the same whatever the
 * API's classes become; unknown fields are ignored, so that older versions read newer files.
 */
final class SessionJson {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int FORMAT = 1;

  private SessionJson() {}

  static byte[] write(SessionInfo session) throws IOException {
    ObjectNode node = JSON.createObjectNode();
    node.put("format", FORMAT);
    node.put("id", session.id());
    node.put("container", session.container());
    node.put("workspace", session.workspace().toString());
    node.put("slot", session.slot());
    node.put("persistent", session.persistent());
    node.put("state", session.state().name());
    node.put("created", session.created().toString());
    session.saved().ifPresent(saved -> node.put("saved", saved.toString()));
    session.resumedFrom().ifPresent(from -> node.put("resumedFrom", from));
    ObjectNode labels = node.putObject("labels");
    new TreeMap<>(session.labels()).forEach(labels::put);
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
  }

  /**
   * The description in {@code bytes}; an {@link IOException} saying what is wrong when it is not
   * one. A saved session is {@link SessionState#SAVED}, whatever the file says.
   */
  static SessionInfo read(byte[] bytes) throws IOException {
    JsonNode node = JSON.readTree(bytes);
    if (node == null || !node.isObject()) {
      throw new IOException("not a JSON object");
    }
    try {
      SessionInfo.Builder info =
          SessionInfo.builder()
              .id(text(node, "id"))
              .container(text(node, "container"))
              .workspace(Path.of(text(node, "workspace")))
              .slot(integer(node, "slot"))
              .persistent(bool(node, "persistent"))
              .state(SessionState.SAVED)
              .created(Instant.parse(text(node, "created")));
      if (node.hasNonNull("saved")) {
        info.saved(Instant.parse(text(node, "saved")));
      }
      if (node.hasNonNull("resumedFrom")) {
        info.resumedFrom(text(node, "resumedFrom"));
      }
      JsonNode labels = node.path("labels");
      if (!labels.isMissingNode() && !labels.isNull()) {
        if (!labels.isObject()) {
          throw new IOException("labels is not an object");
        }
        Map<String, String> map = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> label = it.next();
          if (!label.getValue().isTextual()) {
            throw new IOException("label " + label.getKey() + " is not a string");
          }
          map.put(label.getKey(), label.getValue().asText());
        }
        info.labels(map);
      }
      return info.build();
    } catch (DateTimeParseException | InvalidPathException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private static String text(JsonNode node, String field) throws IOException {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IOException(field + " is missing or not a string");
    }
    return value.asText();
  }

  private static int integer(JsonNode node, String field) throws IOException {
    JsonNode value = node.get(field);
    if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()) {
      throw new IOException(field + " is missing or not an integer");
    }
    return value.asInt();
  }

  private static boolean bool(JsonNode node, String field) throws IOException {
    JsonNode value = node.get(field);
    if (value == null || !value.isBoolean()) {
      throw new IOException(field + " is missing or not a boolean");
    }
    return value.asBoolean();
  }
}
