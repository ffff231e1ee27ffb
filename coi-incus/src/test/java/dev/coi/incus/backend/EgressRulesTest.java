package dev.coi.incus.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.IpPrefix;
import dev.coi.api.NetworkMode;
import dev.coi.api.NetworkPolicy;
import dev.coi.incus.NetworkAcl;
import dev.coi.incus.NetworkAclRule;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EgressRulesTest {
  private static final Map<String, String> LABELS = Map.of("user.coi.session", "s1");
  private static final List<IpPrefix> OWN =
      List.of(
          IpPrefix.parse("10.89.4.1/32"),
          IpPrefix.parse("198.19.0.7"),
          IpPrefix.parse("2001:470:1::5"));
  private static final String[] PROTOCOLS = {"tcp", "udp", "icmp4", "icmp6"};

  private static NetworkAcl restricted(String... exceptions) {
    return EgressRules.acl(
        "coi-s1",
        LABELS,
        NetworkPolicy.builder().mode(NetworkMode.RESTRICTED).addAllowCidrs(exceptions).build(),
        OWN,
        List.of());
  }

  private static NetworkPolicy allowlistPolicy() {
    return NetworkPolicy.builder()
        .mode(NetworkMode.ALLOWLIST)
        .addAllowDomains("example.org")
        .addAllowCidrs("192.168.5.0/24", "140.82.112.0/20")
        .addPorts("443", "8000-8100", "8443", "8050")
        .build();
  }

  /**
   * example.org resolved to two public addresses and, as a rebinding attack would, a private one.
   */
  private static final List<IpPrefix> RESOLVED =
      List.of(
          IpPrefix.parse("93.184.215.14"),
          IpPrefix.parse("2606:2800:21f:cb07:6820:80da:af6b:8b2c"),
          IpPrefix.parse("10.0.0.5"),
          IpPrefix.parse("fd00:ec2::254"));

  private static NetworkAcl allowlist() {
    return EgressRules.acl("coi-s1", LABELS, allowlistPolicy(), OWN, RESOLVED);
  }

  @Test
  void generatedAclsMatchTheirGoldenFiles() {
    Golden.check("restricted", view(restricted()));
    Golden.check("restricted-with-exceptions", view(restricted("10.1.2.0/24", "fd12:3456::/64")));
    Golden.check("allowlist", view(allowlist()));
  }

  @Test
  void wellKnownInternalAddressesAreRefusedInRestricted() {
    NetworkAcl acl = restricted();
    for (String address :
        List.of(
            "169.254.169.254",
            "fd00:ec2::254",
            "127.0.0.1",
            "::1",
            "10.0.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "224.0.0.251",
            "255.255.255.255",
            "0.0.0.0",
            "fe80::1",
            "ff02::1",
            "::ffff:10.0.0.1",
            "::ffff:8.8.8.8",
            "64:ff9b::10.0.0.1",
            "64:ff9b::169.254.169.254",
            "64:ff9b:1::1",
            "2002:a00:1::1",
            "fc00::1",
            "fec0::1",
            "::",
            "10.89.4.1",
            "198.19.0.7",
            "2001:470:1::5",
            "64:ff9b::10.89.4.1")) {
      for (String protocol : PROTOCOLS) {
        assertNotEquals(
            "allow",
            AclEvaluator.egress(acl, "reject", IpPrefix.parse(address).address(), protocol, 443),
            address + " " + protocol);
      }
    }
    for (String address : List.of("1.1.1.1", "8.8.8.8", "2606:4700::1111", "64:ff9b::8.8.8.8")) {
      assertEquals(
          "allow",
          AclEvaluator.egress(acl, "reject", IpPrefix.parse(address).address(), "udp", 53),
          address);
    }
  }

  @Test
  void exceptionsAreCarvedOutOfTheBlockedSetNotOrderedBeforeIt() {
    NetworkAcl acl = restricted("10.1.2.0/24", "fd12:3456::/64");
    assertEquals("allow", eval(acl, "10.1.2.77", "tcp", 5432));
    assertEquals("allow", eval(acl, "fd12:3456::9", "tcp", 5432));
    assertEquals("reject", eval(acl, "10.1.3.1", "tcp", 5432));
    assertEquals("reject", eval(acl, "fd12:3457::1", "tcp", 5432));
    // A reject rule naming the exception would win over any allow rule: there is none.
    for (NetworkAclRule rule : acl.egress()) {
      if (rule.action().equals("reject")) {
        assertTrue(!rule.destination().orElseThrow().contains("10.1.2.0/24"), rule.toString());
      }
    }
  }

  /** Random addresses, protocols and ports, against an oracle written from the lists alone. */
  @Test
  void restrictedAllowsExactlyThePublicAddressesWhateverTheRanking() {
    Random random = new Random(20261202);
    for (int round = 0; round < 40; round++) {
      List<String> exceptions = new ArrayList<>();
      for (int i = random.nextInt(4); i > 0; i--) {
        exceptions.add(randomBlock(random));
      }
      NetworkAcl acl = restricted(exceptions.toArray(String[]::new));
      for (int i = 0; i < 400; i++) {
        byte[] address = i % 2 == 0 ? insideABlockedRange(random) : randomAddress(random);
        String protocol = PROTOCOLS[random.nextInt(PROTOCOLS.length)];
        int port = 1 + random.nextInt(65535);
        boolean expected = !blocked(address) || inAny(exceptions, address);
        String action = AclEvaluator.egress(acl, "reject", address, protocol, port);
        assertEquals(
            expected ? "allow" : "reject", action, IpPrefix.format(address) + " " + exceptions);
        assertTrue(
            AclEvaluator.actionsMatching(acl, address, protocol, port) <= 1, "disjoint rules");
      }
    }
  }

  @Test
  void allowlistAllowsOnlyTheListedAddressesOnTheListedTcpPorts() {
    NetworkAcl acl = allowlist();
    assertEquals("allow", eval(acl, "93.184.215.14", "tcp", 443));
    assertEquals("allow", eval(acl, "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "tcp", 8050));
    assertEquals("reject", eval(acl, "93.184.215.14", "tcp", 80));
    assertEquals("reject", eval(acl, "93.184.215.14", "udp", 443));
    assertEquals(
        "reject", eval(acl, "10.0.0.5", "tcp", 443), "a name resolving to a private address");
    assertEquals("reject", eval(acl, "fd00:ec2::254", "tcp", 443), "a name resolving to metadata");
    assertEquals("allow", eval(acl, "192.168.5.20", "tcp", 443), "listed explicitly");
    Random random = new Random(7);
    List<String> listed =
        List.of(
            "192.168.5.0/24",
            "140.82.112.0/20",
            "93.184.215.14",
            "2606:2800:21f:cb07:6820:80da:af6b:8b2c");
    for (int i = 0; i < 5000; i++) {
      byte[] address =
          i % 3 == 0
              ? near(random, listed.get(random.nextInt(listed.size())))
              : randomAddress(random);
      String protocol = PROTOCOLS[random.nextInt(PROTOCOLS.length)];
      int port = random.nextBoolean() ? 8000 + random.nextInt(200) : 1 + random.nextInt(65535);
      boolean portListed = port == 443 || port == 8443 || (port >= 8000 && port <= 8100);
      boolean expected = protocol.equals("tcp") && portListed && inAny(listed, address);
      assertEquals(
          expected ? "allow" : "reject",
          AclEvaluator.egress(acl, "reject", address, protocol, port),
          IpPrefix.format(address) + " " + protocol + " " + port);
      assertTrue(AclEvaluator.actionsMatching(acl, address, protocol, port) <= 1, "disjoint rules");
    }
  }

  @Test
  void bothFamiliesAlwaysHaveRules() {
    for (NetworkAcl acl : List.of(restricted(), restricted("0.0.0.0/0"), allowlist())) {
      assertTrue(
          acl.egress().stream().anyMatch(r -> r.destination().orElse("").contains(":")),
          acl.toString());
      assertTrue(
          acl.egress().stream().anyMatch(r -> r.destination().orElse("").contains(".")),
          acl.toString());
    }
  }

  @Test
  void portsAreMergedAndSorted() {
    assertEquals(
        "80,443,8000-8100,8443",
        EgressRules.ports(List.of("8443", "443", "8000-8100", "8050", "80")));
    assertEquals("1-3", EgressRules.ports(List.of("3", "1-2")));
  }

  // The oracle: membership in the documented lists, tested block by block.
  static boolean blocked(byte[] address) {
    List<String> blocks = new ArrayList<>(BlockedAddresses.IPV4);
    blocks.addAll(BlockedAddresses.IPV6);
    OWN.forEach(p -> blocks.add(p.toString()));
    if (inAny(blocks, address)) {
      return true;
    }
    if (address.length == 16 && !inAny(BlockedAddresses.IPV6_INTERNET, address)) {
      return true;
    }
    byte[] nat64 = IpPrefix.parse("64:ff9b::").address();
    if (address.length == 16) {
      byte[] prefix = address.clone();
      for (int i = 12; i < 16; i++) {
        prefix[i] = 0;
      }
      if (java.util.Arrays.equals(prefix, nat64)) {
        return blocked(java.util.Arrays.copyOfRange(address, 12, 16));
      }
    }
    return false;
  }

  static boolean inAny(List<String> blocks, byte[] address) {
    return AclEvaluator.inAny(blocks, address);
  }

  private static byte[] insideABlockedRange(Random random) {
    List<String> blocks = new ArrayList<>(BlockedAddresses.IPV4);
    blocks.addAll(BlockedAddresses.IPV6);
    byte[] address = near(random, blocks.get(random.nextInt(blocks.size())));
    if (address.length == 4 && random.nextInt(3) == 0) {
      byte[] nat64 = IpPrefix.parse("64:ff9b::").address();
      System.arraycopy(address, 0, nat64, 12, 4);
      return nat64;
    }
    return address;
  }

  /** A random address in the block, or just past either end of it. */
  private static byte[] near(Random random, String text) {
    IpPrefix block = IpPrefix.parse(text);
    int bits = block.isIpv4() ? 32 : 128;
    BigInteger size = block.last().subtract(block.first()).add(BigInteger.ONE);
    BigInteger n;
    switch (random.nextInt(6)) {
      case 0 -> n = block.first().subtract(BigInteger.ONE);
      case 1 -> n = block.last().add(BigInteger.ONE);
      case 2 -> n = block.first();
      case 3 -> n = block.last();
      default -> n = block.first().add(new BigInteger(bits, random).mod(size));
    }
    n = n.mod(BigInteger.ONE.shiftLeft(bits));
    return AddressSet.bytes(n, bits / 8);
  }

  private static byte[] randomAddress(Random random) {
    return random.nextBoolean()
        ? AddressSet.bytes(new BigInteger(32, random), 4)
        : AddressSet.bytes(new BigInteger(128, random), 16);
  }

  private static String randomBlock(Random random) {
    byte[] address = random.nextBoolean() ? insideABlockedRange(random) : randomAddress(random);
    int bits = address.length * 8;
    int length = bits - random.nextInt(address.length == 4 ? 16 : 64);
    return IpPrefix.of(address, length).toString();
  }

  private static String eval(NetworkAcl acl, String address, String protocol, int port) {
    return AclEvaluator.egress(acl, "reject", IpPrefix.parse(address).address(), protocol, port);
  }

  /** The ACL as Incus's JSON, for the golden files. */
  static Map<String, Object> view(NetworkAcl acl) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", acl.name());
    json.put("description", acl.description());
    json.put("config", acl.config());
    List<Map<String, String>> egress = new ArrayList<>();
    for (NetworkAclRule rule : acl.egress()) {
      Map<String, String> r = new LinkedHashMap<>();
      r.put("action", rule.action());
      r.put("state", rule.state());
      rule.destination().ifPresent(v -> r.put("destination", v));
      rule.protocol().ifPresent(v -> r.put("protocol", v));
      rule.destinationPort().ifPresent(v -> r.put("destination_port", v));
      rule.description().ifPresent(v -> r.put("description", v));
      egress.add(r);
    }
    json.put("egress", egress);
    json.put("ingress", acl.ingress());
    return json;
  }
}
