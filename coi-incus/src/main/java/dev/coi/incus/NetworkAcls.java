package dev.coi.incus;

import dev.coi.incus.transport.HttpRequest;
import dev.coi.incus.transport.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;

/**
 * Network ACLs of the default project: create, read, update on condition, delete. The daemon
 * validates every rule on create and update: a refused rule is an {@link
 * dev.coi.api.InvalidSpecException} naming it; a stale entity tag a {@link
 * dev.coi.api.ConflictException}.
 *
 * <pre>{@code
 * NetworkAcls acls = client.networkAcls();
 * acls.create(NetworkAcl.builder().name("demo")
 *     .addEgress(NetworkAclRule.builder().action("allow").destination("203.0.113.0/24").build())
 *     .build());
 * NetworkAcl read = acls.get("demo");
 * acls.update(NetworkAcl.builder().from(read).description("changed").build(), read.etag());
 * acls.delete("demo");
 * }</pre>
 */
public final class NetworkAcls {
  private static final String ROOT = "/1.0/network-acls";

  private final Rest rest;

  NetworkAcls(Rest rest) {
    this.rest = rest;
  }

  public void create(NetworkAcl acl) {
    rest.sync("POST", ROOT, acl.toJson(true));
  }

  /** The ACL with the entity tag an {@link #update} needs. */
  public NetworkAcl get(String name) {
    return read(name, false).orElseThrow();
  }

  /** The ACL, or empty when there is none of that name. */
  public Optional<NetworkAcl> find(String name) {
    return read(name, true);
  }

  private Optional<NetworkAcl> read(String name, boolean missingIsEmpty) {
    String path = path(name);
    HttpResponse response = rest.send(HttpRequest.of("GET", path));
    if (missingIsEmpty && response.status() == 404) {
      return Optional.empty();
    }
    return Optional.of(
        NetworkAcl.of(
            Rest.metadata(response, "GET " + path), Optional.ofNullable(response.header("ETag"))));
  }

  public List<NetworkAcl> list() {
    return list(Map.of());
  }

  /** The ACLs whose config has every given key with the given value ({@code user.*} labels). */
  public List<NetworkAcl> list(Map<String, String> configFilter) {
    return StreamSupport.stream(rest.get(ROOT + "?recursion=1").spliterator(), false)
        .map(json -> NetworkAcl.of(json, Optional.empty()))
        .filter(acl -> acl.config().entrySet().containsAll(configFilter.entrySet()))
        .toList();
  }

  /**
   * Replaces the ACL's description, labels and rules ({@code PUT}); with the entity tag of a {@link
   * #get}, only if nothing changed since.
   */
  public void update(NetworkAcl acl, Optional<String> etag) {
    String path = path(acl.name());
    Rest.metadata(
        rest.send(Instances.conditional("PUT", path, acl.toJson(false), etag)), "PUT " + path);
  }

  /** Deletes the ACL; one a NIC still uses is refused by the daemon. */
  public void delete(String name) {
    rest.sync("DELETE", path(name), null);
  }

  static String path(String name) {
    return ROOT + "/" + Rest.encode(name);
  }
}
