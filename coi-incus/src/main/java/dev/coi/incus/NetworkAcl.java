package dev.coi.incus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coi.api.value.ValueStyle;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * A network ACL: named egress and ingress rules a NIC refers to in {@code security.acls}. An ACL is
 * a project object, apart from any network: creating one changes no traffic until a NIC uses it.
 */
@Value.Immutable
@ValueStyle
public abstract class NetworkAcl {
  NetworkAcl() {}

  public abstract String name();

  @Value.Default
  public String description() {
    return "";
  }

  /** {@code user.*} keys, free-form labels. */
  public abstract Map<String, String> config();

  public abstract List<NetworkAclRule> egress();

  public abstract List<NetworkAclRule> ingress();

  /** What uses it ({@code /1.0/instances/…}); only in what the daemon returns. */
  @Value.Auxiliary
  public abstract List<String> usedBy();

  /** The entity tag of a read, for {@link NetworkAcls#update}; only in what the daemon returns. */
  @Value.Auxiliary
  public abstract Optional<String> etag();

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link NetworkAcl}. */
  public static class Builder extends ImmutableNetworkAcl.Builder {
    Builder() {}
  }

  /** The writable fields; with the name for a create. */
  ObjectNode toJson(boolean withName) {
    ObjectNode body = Rest.object();
    if (withName) {
      body.put("name", name());
    }
    body.put("description", description());
    body.set("config", Json.stringObject(config()));
    ArrayNode egress = body.putArray("egress");
    egress().forEach(rule -> egress.add(rule.toJson()));
    ArrayNode ingress = body.putArray("ingress");
    ingress().forEach(rule -> ingress.add(rule.toJson()));
    return body;
  }

  static NetworkAcl of(JsonNode json, Optional<String> etag) {
    Builder acl = builder();
    acl.name(json.path("name").asText())
        .description(json.path("description").asText(""))
        .config(Json.strings(json.path("config")))
        .etag(etag);
    json.path("egress").forEach(rule -> acl.addEgress(NetworkAclRule.of(rule)));
    json.path("ingress").forEach(rule -> acl.addIngress(NetworkAclRule.of(rule)));
    json.path("used_by").forEach(user -> acl.addUsedBy(user.asText()));
    return acl.build();
  }
}
