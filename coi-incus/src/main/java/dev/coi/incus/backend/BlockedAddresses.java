package dev.coi.incus.backend;

import dev.coi.api.IpPrefix;
import java.util.List;

/**
 * The addresses {@code restricted} keeps a container from: every IPv4 and IPv6 range that is not
 * the public internet (RFC 6890's special-purpose registries), and the IPv6 forms that embed a
 * private IPv4 address (mapped, NAT64, 6to4), since an IPv6 packet to one of those can end at that
 * IPv4 address. The host's and the bridge's own addresses are added per daemon.
 */
final class BlockedAddresses {
  static final List<String> IPV4 =
      List.of(
          "0.0.0.0/8", // this network
          "10.0.0.0/8", // private
          "100.64.0.0/10", // shared address space (CGNAT)
          "127.0.0.0/8", // loopback
          "169.254.0.0/16", // link-local, cloud metadata (169.254.169.254)
          "172.16.0.0/12", // private
          "192.0.0.0/24", // IETF protocol assignments
          "192.0.2.0/24", // documentation
          "192.88.99.0/24", // 6to4 relay anycast
          "192.168.0.0/16", // private
          "198.18.0.0/15", // benchmarking
          "198.51.100.0/24", // documentation
          "203.0.113.0/24", // documentation
          "224.0.0.0/4", // multicast
          "240.0.0.0/4"); // reserved, and the broadcast address

  static final List<String> IPV6 =
      List.of(
          "::/96", // unspecified, loopback, and the deprecated IPv4-compatible forms
          "::ffff:0:0/96", // IPv4-mapped: the whole IPv4 space, reached through IPv6 sockets
          "::ffff:0:0:0/96", // SIIT IPv4-translated
          "64:ff9b:1::/48", // local-use NAT64
          "100::/64", // discard
          "2001::/23", // IETF protocol assignments (Teredo, ORCHID, benchmarking …)
          "2001:db8::/32", // documentation
          "2002::/16", // 6to4: embeds an IPv4 address in bits 16-48
          "fc00::/7", // unique local (a cloud metadata service answers at fd00:ec2::254)
          "fe80::/10", // link-local
          "fec0::/10", // site-local, deprecated
          "ff00::/8"); // multicast

  /**
   * Of IPv6, only global unicast ({@code 2000::/3}) and the public NAT64 forms reach the internet;
   * everything else is reserved or unassigned and blocked whole.
   */
  static final List<String> IPV6_INTERNET = List.of("2000::/3", "64:ff9b::/96");

  /** The NAT64 prefix whose last 32 bits are an IPv4 address (RFC 6052). */
  private static final String NAT64 = "64:ff9b::";

  private BlockedAddresses() {}

  /** The blocked set, with these extra addresses (the host's, the bridge's). */
  static AddressSet with(List<IpPrefix> extra) {
    AddressSet blocked = AddressSet.of(extra);
    for (String block : IPV4) {
      blocked = blocked.union(AddressSet.parse(block)).union(nat64(IpPrefix.parse(block)));
    }
    for (IpPrefix own : extra) {
      if (own.isIpv4()) {
        blocked = blocked.union(nat64(own));
      }
    }
    for (String block : IPV6) {
      blocked = blocked.union(AddressSet.parse(block));
    }
    AddressSet internet = AddressSet.parse(IPV6_INTERNET.toArray(String[]::new));
    blocked = blocked.union(AddressSet.ALL_IPV6.minus(internet));
    return blocked;
  }

  /** {@code 64:ff9b::10.0.0.0/104} for {@code 10.0.0.0/8}: the NAT64 form of an IPv4 block. */
  static AddressSet nat64(IpPrefix v4) {
    byte[] address = IpPrefix.parse(NAT64).address();
    System.arraycopy(v4.address(), 0, address, 12, 4);
    return AddressSet.of(IpPrefix.of(address, 96 + v4.length()));
  }
}
