package dev.coi.incus.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads an instance's config and devices straight from the daemon, to check what was created. */
final class IncusClientProbe {
  private final IncusClient client = IncusClient.local(System.getenv());

  Map<String, String> config(String instance) {
    return strings(client.get("/1.0/instances/" + instance).path("config"));
  }

  Map<String, String> device(String instance, String device) {
    return strings(client.get("/1.0/instances/" + instance).path("devices").path(device));
  }

  private static Map<String, String> strings(JsonNode node) {
    Map<String, String> result = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> result.put(e.getKey(), e.getValue().asText()));
    return result;
  }
}
