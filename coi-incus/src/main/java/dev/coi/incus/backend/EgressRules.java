package dev.coi.incus.backend;

import dev.coi.api.IpPrefix;
import dev.coi.api.NetworkMode;
import dev.coi.api.NetworkPolicy;
import dev.coi.incus.NetworkAcl;
import dev.coi.incus.NetworkAclRule;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The network ACL that holds a {@code restricted} or {@code allowlist} session to its promise.
 *
 * <p>Incus ranks the rules that match a packet by action, whatever their order (drop, then reject,
 * then allow), and applies the NIC's default action when none matches. So no rule here is an
 * exception to another: the user's exceptions are subtracted from the blocked set before any rule
 * is written, every reject rule and every allow rule cover disjoint addresses, and the NIC's
 * defaults (egress reject, ingress drop) cover the rest. Reordering the rules, or Incus ranking
 * them otherwise, cannot change what they allow ({@code EgressRulesTest} checks this with an
 * evaluator of Incus's ranking).
 */
final class EgressRules {
  /** The default action of the NIC for what no rule matches, in each direction. */
  static final String DEFAULT_EGRESS = "reject";

  static final String DEFAULT_INGRESS = "drop";

  private EgressRules() {}

  /**
   * The ACL for a policy.
   *
   * @param ownAddresses the host's and the bridge's addresses, blocked as the private ranges are
   * @param resolved the addresses the allowlist's domains resolved to (allowlist only)
   */
  static NetworkAcl acl(
      String name,
      Map<String, String> config,
      NetworkPolicy policy,
      List<IpPrefix> ownAddresses,
      Collection<IpPrefix> resolved) {
    AddressSet exceptions =
        AddressSet.of(policy.allowCidrs().stream().map(IpPrefix::parse).toList());
    AddressSet blocked = BlockedAddresses.with(ownAddresses);
    NetworkAcl.Builder acl =
        NetworkAcl.builder().name(name).description(description(policy.mode())).config(config);
    if (policy.mode() == NetworkMode.RESTRICTED) {
      AddressSet refused = blocked.minus(exceptions);
      addRules(acl, "reject", refused, null, null, "blocked ranges");
      addRules(acl, "allow", AddressSet.ALL.minus(refused), null, null, "the internet");
    } else if (policy.mode() == NetworkMode.ALLOWLIST) {
      AddressSet listed = allowlisted(policy, ownAddresses, resolved);
      addRules(acl, "reject", blocked.minus(listed), null, null, "blocked ranges");
      addRules(acl, "allow", listed, "tcp", ports(policy.effectivePorts()), "the allowlist");
    } else {
      throw new IllegalArgumentException("no ACL for network mode " + policy.mode().configName());
    }
    return acl.build();
  }

  /** The ACL's description, which says the mode it holds the container to. */
  static String description(NetworkMode mode) {
    return "coi: network " + mode.configName();
  }

  /**
   * What an {@code allowlist} lets through: the listed CIDRs, and the resolved addresses outside
   * the blocked ranges (a name resolving into them is DNS rebinding unless the range is listed).
   */
  static AddressSet allowlisted(
      NetworkPolicy policy, List<IpPrefix> ownAddresses, Collection<IpPrefix> resolved) {
    AddressSet exceptions =
        AddressSet.of(policy.allowCidrs().stream().map(IpPrefix::parse).toList());
    AddressSet blocked = BlockedAddresses.with(ownAddresses);
    return exceptions.union(AddressSet.of(List.copyOf(resolved)).minus(blocked.minus(exceptions)));
  }

  private static void addRules(
      NetworkAcl.Builder acl,
      String action,
      AddressSet addresses,
      String protocol,
      String ports,
      String what) {
    for (AddressSet family : List.of(addresses.ipv4(), addresses.ipv6())) {
      if (family.isEmpty()) {
        continue;
      }
      boolean v4 = family.intersect(AddressSet.ALL_IPV4).equals(family);
      NetworkAclRule.Builder rule =
          NetworkAclRule.builder()
              .action(action)
              .destination(String.join(",", family.subjects()))
              .description("coi: " + what + (v4 ? " (IPv4)" : " (IPv6)"));
      if (protocol != null) {
        rule.protocol(protocol).destinationPort(ports);
      }
      acl.addEgress(rule.build());
    }
  }

  /** The ports as Incus writes them, merged and sorted: {@code 80,443,8000-8100}. */
  static String ports(List<String> ports) {
    RangeSet set = RangeSet.EMPTY;
    for (String port : ports) {
      int[] range = NetworkPolicy.portRange(port);
      set = set.union(RangeSet.of(range[0], range[1]));
    }
    List<String> parts = new ArrayList<>();
    for (RangeSet.Range range : set.ranges()) {
      parts.add(
          range.first().equals(range.last())
              ? range.first().toString()
              : range.first() + "-" + range.last());
    }
    return String.join(",", parts);
  }

  /**
   * The NIC settings that apply the ACL from the container's first packet, and on a bridge the
   * anti-spoofing and isolation Incus offers there: {@code security.mac_filtering} and {@code
   * ipv4/ipv6_filtering} drop frames whose MAC or source address is not the NIC's own (so the
   * agent, root in its container, cannot take another address and escape the ACL, which matches on
   * the NIC), and {@code security.port_isolation} keeps isolated NICs of the bridge from reaching
   * each other. An OVN NIC accepts none of these four keys: OVN holds each port to its own
   * addresses itself.
   *
   * @param networkType the type of the managed network the NIC is on ({@code bridge}, {@code ovn})
   */
  static Map<String, String> nicSecurity(String aclName, String networkType) {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("security.acls", aclName);
    keys.put("security.acls.default.egress.action", DEFAULT_EGRESS);
    keys.put("security.acls.default.ingress.action", DEFAULT_INGRESS);
    if (networkType.equals("bridge")) {
      keys.put("security.mac_filtering", "true");
      keys.put("security.ipv4_filtering", "true");
      keys.put("security.ipv6_filtering", "true");
      keys.put("security.port_isolation", "true");
    }
    return keys;
  }
}
