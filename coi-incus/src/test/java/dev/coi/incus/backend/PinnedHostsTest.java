package dev.coi.incus.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.IpPrefix;
import dev.coi.api.NetworkMode;
import dev.coi.api.NetworkPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code /etc/hosts} of an allowlist session names exactly what its ACL lets through. */
class PinnedHostsTest {
  private static final Path GOLDEN = Path.of("src/test/resources/egress/hosts.txt");

  private static List<IpPrefix> ips(String... addresses) {
    return java.util.Arrays.stream(addresses).map(IpPrefix::parse).toList();
  }

  @Test
  void theFileMatchesItsGoldenCopy() throws IOException {
    NetworkPolicy policy =
        NetworkPolicy.builder()
            .mode(NetworkMode.ALLOWLIST)
            .addAllowDomains("api.example.com", "intranet.example.com", "cdn.example.net")
            .addAllowCidrs("10.20.0.0/16")
            .build();
    Map<String, List<IpPrefix>> answers = new LinkedHashMap<>();
    answers.put("api.example.com", ips("93.184.215.14", "2606:2800:21f:0:0:0:0:1"));
    // One address listed explicitly (kept), one private that is not (DNS rebinding: left out).
    answers.put("intranet.example.com", ips("10.20.1.5", "192.168.1.10"));
    answers.put("cdn.example.net", ips("169.254.169.254"));
    List<IpPrefix> resolved = answers.values().stream().flatMap(List::stream).toList();
    String hosts =
        PinnedHosts.render(
            "claude-1a2b3c4d-1",
            answers,
            EgressRules.allowlisted(policy, ips("192.0.2.2"), resolved));
    if (Boolean.getBoolean("coi.golden.update")) {
      Files.writeString(GOLDEN, hosts, StandardCharsets.US_ASCII);
    }
    assertEquals(Files.readString(GOLDEN, StandardCharsets.US_ASCII), hosts);
    assertFalse(hosts.contains("192.168.1.10"), hosts);
    assertFalse(hosts.contains("cdn.example.net"), "a name with nothing allowed is not pinned");
  }

  /** Whatever the answers, every pinned address is one the ACL allows (the two never differ). */
  @Test
  void everyPinnedAddressIsAllowedByTheAcl() {
    java.util.Random random = new java.util.Random(15);
    NetworkPolicy policy =
        NetworkPolicy.builder().mode(NetworkMode.ALLOWLIST).addAllowDomains("a.example").build();
    for (int round = 0; round < 500; round++) {
      byte[] v4 = new byte[4];
      byte[] v6 = new byte[16];
      random.nextBytes(v4);
      random.nextBytes(v6);
      List<IpPrefix> answer = List.of(IpPrefix.of(v4, 32), IpPrefix.of(v6, 128));
      var acl = EgressRules.acl("coi-s", Map.of(), policy, List.of(), answer);
      String hosts =
          PinnedHosts.render(
              "c", Map.of("a.example", answer), EgressRules.allowlisted(policy, List.of(), answer));
      for (String line : hosts.split("\n")) {
        if (line.endsWith("\ta.example")) {
          byte[] address = IpPrefix.parse(line.substring(0, line.indexOf('\t'))).address();
          assertEquals("allow", AclEvaluator.egress(acl, "reject", address, "tcp", 443), line);
        }
      }
      for (IpPrefix a : answer) {
        boolean allowed =
            AclEvaluator.egress(acl, "reject", a.address(), "tcp", 443).equals("allow");
        assertEquals(
            allowed, hosts.contains(IpPrefix.format(a.address()) + "\ta.example\n"), a.toString());
      }
    }
    assertTrue(PinnedHosts.render("c", Map.of(), AddressSet.EMPTY).contains("127.0.1.1\tc\n"));
  }
}
