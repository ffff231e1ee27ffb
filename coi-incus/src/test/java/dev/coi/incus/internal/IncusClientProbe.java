package dev.coi.incus.internal;

import dev.coi.incus.IncusClient;
import java.util.Map;

/** Reads an instance's config and devices straight from the daemon, to check what was created. */
final class IncusClientProbe {
  private final IncusClient client = IncusClient.local();

  Map<String, String> config(String instance) {
    return client.instances().get(instance).config();
  }

  Map<String, String> device(String instance, String device) {
    return client.instances().get(instance).devices().get(device);
  }
}
