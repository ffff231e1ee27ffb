package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small conversions between the daemon's JSON and coi's values. */
final class Json {
  private Json() {}

  static Map<String, String> strings(JsonNode object) {
    Map<String, String> result = new LinkedHashMap<>();
    object.fields().forEachRemaining(e -> result.put(e.getKey(), e.getValue().asText()));
    return result;
  }

  /** Each field as text: a value as itself, an object or an array as its JSON. */
  static Map<String, String> texts(JsonNode object) {
    Map<String, String> result = new LinkedHashMap<>();
    object
        .fields()
        .forEachRemaining(
            e ->
                result.put(
                    e.getKey(),
                    e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
    return result;
  }

  /** Config and device values must be JSON strings: the daemon refuses {@code true} for "true". */
  static ObjectNode stringObject(Map<String, String> values) {
    ObjectNode node = Rest.object();
    values.forEach(node::put);
    return node;
  }
}
