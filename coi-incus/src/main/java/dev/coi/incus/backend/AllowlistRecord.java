package dev.coi.incus.backend;

import dev.coi.api.CoiException;
import dev.coi.api.NetworkMode;
import dev.coi.api.NetworkPolicy;
import dev.coi.incus.NetworkAcl;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An {@code allowlist} session's policy as it was created, kept in its ACL's config ({@code
 * user.coi.allow-domains}, {@code allow-cidrs}, {@code ports}), so that a later program that starts
 * or takes over the session refreshes what the session was made with. The ACL is the daemon's: the
 * agent cannot reach it (it has no access to the daemon's API), and no configuration file is read
 * again, so nothing the agent writes (the workspace's own configuration included) widens a resumed
 * session.
 */
final class AllowlistRecord {
  static final String DOMAINS = NetworkGuard.LABEL + "allow-domains";
  static final String CIDRS = NetworkGuard.LABEL + "allow-cidrs";
  static final String PORTS = NetworkGuard.LABEL + "ports";

  private static final System.Logger LOG = System.getLogger(AllowlistRecord.class.getName());

  /** A container's allowlist ACL and the policy recorded in it. */
  record Found(NetworkAcl acl, NetworkPolicy policy) {}

  private AllowlistRecord() {}

  /**
   * Of a container's ACLs, the allowlist of names to keep up; empty when it has none. An allowlist
   * ACL made before the policy was recorded keeps its rules as last written (said in the log): they
   * are not refreshed, and never widened.
   */
  static Optional<Found> find(List<NetworkAcl> acls) {
    for (NetworkAcl acl : acls) {
      Optional<NetworkPolicy> policy = read(acl);
      if (policy.isPresent()) {
        return Optional.of(new Found(acl, policy.get()));
      }
      if (acl.description().equals(EgressRules.description(NetworkMode.ALLOWLIST))
          && !acl.config().containsKey(CIDRS)
          && !acl.config().containsKey(PORTS)) {
        LOG.log(
            System.Logger.Level.WARNING,
            "network ACL "
                + acl.name()
                + " records no allowlist (made by an older coi): its addresses stay as they are;"
                + " start a new session to have them refreshed");
      }
    }
    return Optional.empty();
  }

  /** The config keys recording an allowlist policy; none for another mode. */
  static Map<String, String> of(NetworkPolicy policy) {
    Map<String, String> keys = new LinkedHashMap<>();
    if (policy.mode() != NetworkMode.ALLOWLIST) {
      return keys;
    }
    // Incus drops a key with an empty value: an empty list is a missing key.
    put(keys, DOMAINS, policy.allowDomains());
    put(keys, CIDRS, policy.allowCidrs());
    put(keys, PORTS, policy.effectivePorts());
    return keys;
  }

  private static void put(Map<String, String> keys, String key, List<String> values) {
    if (!values.isEmpty()) {
      keys.put(key, String.join(",", values));
    }
  }

  /**
   * The allowlist of names this ACL was made for; empty for an ACL of another mode, of an allowlist
   * without names (nothing to refresh), or made before the policy was recorded.
   *
   * @throws CoiException when the record is there but not a valid policy
   */
  static Optional<NetworkPolicy> read(NetworkAcl acl) {
    Map<String, String> config = acl.config();
    if (!acl.description().equals(EgressRules.description(NetworkMode.ALLOWLIST))
        || !config.containsKey(DOMAINS)) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          NetworkPolicy.builder()
              .mode(NetworkMode.ALLOWLIST)
              .allowDomains(list(config.get(DOMAINS)))
              .allowCidrs(list(config.getOrDefault(CIDRS, "")))
              .ports(list(config.getOrDefault(PORTS, "")))
              .build());
    } catch (CoiException unreadable) {
      throw new CoiException(
          "the allowlist recorded in network ACL "
              + acl.name()
              + " cannot be read ("
              + unreadable.getMessage()
              + "): start a new session");
    }
  }

  private static List<String> list(String joined) {
    return Arrays.stream(joined.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
