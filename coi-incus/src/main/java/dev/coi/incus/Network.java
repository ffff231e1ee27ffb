package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coi.api.value.ValueStyle;
import java.util.Map;
import org.immutables.value.Value;

/** A network as the daemon describes it: {@code incusbr0}, a managed {@code bridge}. */
@Value.Immutable
@ValueStyle
public abstract class Network {
  Network() {}

  public abstract String name();

  /** {@code bridge}, {@code ovn}, {@code macvlan}, {@code physical}, {@code loopback} … */
  public abstract String type();

  /** True for a network Incus manages (and so can filter); false for a host interface. */
  public abstract boolean managed();

  /** Its config: {@code ipv4.address}, {@code ipv6.address}, {@code bridge.driver} … */
  public abstract Map<String, String> config();

  /** A network described by hand, as a test or a caller that read it elsewhere has it. */
  public static Network of(String name, String type, boolean managed, Map<String, String> config) {
    return ImmutableNetwork.builder().name(name).type(type).managed(managed).config(config).build();
  }

  static Network of(JsonNode json) {
    return ImmutableNetwork.builder()
        .name(json.path("name").asText())
        .type(json.path("type").asText())
        .managed(json.path("managed").asBoolean())
        .config(Json.strings(json.path("config")))
        .build();
  }
}
