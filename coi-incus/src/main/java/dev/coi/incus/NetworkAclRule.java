package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coi.api.value.ValueStyle;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * One rule of a {@link NetworkAcl}. Incus ranks matching rules by action, whatever their order:
 * {@code drop} over {@code reject} over {@code allow}; a packet no rule matches gets the NIC's
 * default action. Subjects are comma-separated addresses, CIDR blocks or ranges ({@code
 * 10.0.0.1-10.0.0.9}), never host names; ports need a protocol.
 */
@Value.Immutable
@ValueStyle
public abstract class NetworkAclRule {
  NetworkAclRule() {}

  /** {@code allow}, {@code reject}, {@code drop} or {@code allow-stateless}. */
  public abstract String action();

  /** {@code enabled}, {@code disabled} or {@code logged}; Incus refuses a rule without one. */
  @Value.Default
  public String state() {
    return "enabled";
  }

  public abstract Optional<String> source();

  public abstract Optional<String> destination();

  /** {@code tcp}, {@code udp}, {@code icmp4} or {@code icmp6}; absent: every protocol. */
  public abstract Optional<String> protocol();

  public abstract Optional<String> sourcePort();

  public abstract Optional<String> destinationPort();

  public abstract Optional<String> description();

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link NetworkAclRule}. */
  public static class Builder extends ImmutableNetworkAclRule.Builder {
    Builder() {}
  }

  ObjectNode toJson() {
    ObjectNode rule = Rest.object().put("action", action()).put("state", state());
    source().ifPresent(v -> rule.put("source", v));
    destination().ifPresent(v -> rule.put("destination", v));
    protocol().ifPresent(v -> rule.put("protocol", v));
    sourcePort().ifPresent(v -> rule.put("source_port", v));
    destinationPort().ifPresent(v -> rule.put("destination_port", v));
    description().ifPresent(v -> rule.put("description", v));
    return rule;
  }

  static NetworkAclRule of(JsonNode json) {
    Builder rule = builder();
    rule.action(json.path("action").asText()).state(json.path("state").asText());
    text(json, "source").ifPresent(rule::source);
    text(json, "destination").ifPresent(rule::destination);
    text(json, "protocol").ifPresent(rule::protocol);
    text(json, "source_port").ifPresent(rule::sourcePort);
    text(json, "destination_port").ifPresent(rule::destinationPort);
    text(json, "description").ifPresent(rule::description);
    return rule.build();
  }

  private static Optional<String> text(JsonNode json, String field) {
    return Optional.of(json.path(field).asText("")).filter(s -> !s.isEmpty());
  }
}
