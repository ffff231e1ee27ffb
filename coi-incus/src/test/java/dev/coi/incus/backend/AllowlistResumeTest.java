package dev.coi.incus.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.CoiException;
import dev.coi.api.IpPrefix;
import dev.coi.api.NetworkMode;
import dev.coi.api.NetworkPolicy;
import dev.coi.incus.NetworkAcl;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A session resumed by another program: the allowlist it was created with, read back from its ACL
 * (nothing else), resolved again at once, the ACL written only when its rules change.
 */
class AllowlistResumeTest {
  private static final NetworkPolicy POLICY =
      NetworkPolicy.builder()
          .mode(NetworkMode.ALLOWLIST)
          .addAllowDomains("api.example.test", "cdn.example.test")
          .addAllowCidrs("192.0.2.0/24")
          .addPorts("443", "8000-8100")
          .build();

  private final AllowlistRefreshTest.FakeAcls acls = new AllowlistRefreshTest.FakeAcls();
  private List<String> answer = List.of("192.0.2.1", "3fff::1");

  /** The ACL as the creating program left it: its labels, the record, the rules of its answer. */
  private NetworkAcl created() {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("user.coi.version", "1");
    config.put("user.coi.container", "claude-ab-1");
    config.putAll(AllowlistRecord.of(POLICY));
    return EgressRules.acl("coi-s1", config, POLICY, List.of(), ips(answer));
  }

  private static List<IpPrefix> ips(List<String> addresses) {
    return addresses.stream().map(IpPrefix::parse).toList();
  }

  /** What a later program does with the container's ACLs ({@code NetworkGuard.resume}). */
  private Duration resume(List<NetworkAcl> containersAcls) {
    AllowlistRecord.Found found = AllowlistRecord.find(containersAcls).orElseThrow();
    return new AllowlistRefresh(
            found.acl(),
            found.policy(),
            List.of(),
            domain -> new AllowlistRefresh.Answer(ips(answer), Duration.ofSeconds(200)),
            acls,
            new AllowlistRefreshTest.MovableClock())
        .refresh();
  }

  @Test
  void thePolicyIsReadBackFromTheAclAsItWasCreated() {
    assertEquals(
        Map.of(
            "user.coi.allow-domains", "api.example.test,cdn.example.test",
            "user.coi.allow-cidrs", "192.0.2.0/24",
            "user.coi.ports", "443,8000-8100"),
        AllowlistRecord.of(POLICY));
    assertEquals(Optional.of(POLICY), AllowlistRecord.read(created()));
    NetworkPolicy defaults =
        NetworkPolicy.builder()
            .mode(NetworkMode.ALLOWLIST)
            .addAllowDomains("api.example.test")
            .build();
    NetworkAcl plain =
        EgressRules.acl("coi-s2", AllowlistRecord.of(defaults), defaults, List.of(), List.of());
    assertEquals(
        List.of("80", "443"),
        AllowlistRecord.read(plain).orElseThrow().ports(),
        "the default ports are recorded as such: a later default cannot change them");
    assertEquals(Map.of(), AllowlistRecord.of(NetworkPolicy.of(NetworkMode.RESTRICTED)));
  }

  @Test
  void onlyAnAllowlistOfNamesIsResumed() {
    NetworkAcl restricted =
        EgressRules.acl(
            "coi-r", Map.of(), NetworkPolicy.of(NetworkMode.RESTRICTED), List.of(), List.of());
    assertEquals(Optional.empty(), AllowlistRecord.find(List.of(restricted)));
    NetworkAcl older =
        EgressRules.acl("coi-old", Map.of("user.coi.version", "1"), POLICY, List.of(), List.of());
    assertEquals(
        Optional.empty(),
        AllowlistRecord.find(List.of(older)),
        "made before the record: left as it was, never widened");
    assertEquals("coi-s1", AllowlistRecord.find(List.of(restricted, created())).get().acl().name());
  }

  @Test
  void aRecordThatIsNotAPolicyIsRefused() {
    NetworkAcl bad =
        NetworkAcl.builder()
            .from(created())
            .putConfig(AllowlistRecord.DOMAINS, "https://api.example.test/x")
            .build();
    CoiException refused = assertThrows(CoiException.class, () -> AllowlistRecord.read(bad));
    assertTrue(refused.getMessage().contains("network ACL coi-s1"), refused.getMessage());
  }

  @Test
  void anUnchangedAnswerWritesNoAclButPinsTheHostsFileAgain() {
    acls.stored = created();
    assertEquals(Duration.ofSeconds(200), resume(List.of(acls.read())));
    assertEquals(List.of(), acls.writes, "the same rules: the ACL is not written");
    assertEquals(1, acls.hosts.size(), "/etc/hosts is pinned anew");
    assertTrue(acls.hosts.get(0).contains("3fff::1\tapi.example.test\n"), acls.hosts.get(0));
    assertTrue(acls.hosts.get(0).contains("192.0.2.1\tcdn.example.test\n"), acls.hosts.get(0));
  }

  @Test
  void aRotatedNameIsWrittenWithTheEntityTagAndKeepsTheRecord() {
    acls.stored = created();
    answer = List.of("192.0.2.2", "3fff::2");
    resume(List.of(acls.read()));
    assertEquals(1, acls.writes.size());
    NetworkAcl now = acls.stored;
    assertEquals("allow", egress(now, "3fff::2"));
    assertEquals("reject", egress(now, "3fff::1"), "a stopped container had no open connection");
    assertEquals(created().config(), now.config(), "labels and record kept for the next program");
    assertEquals(Optional.of(POLICY), AllowlistRecord.read(now));
    assertFalse(acls.hosts.get(0).contains("3fff::1"), acls.hosts.get(0));
    assertTrue(acls.hosts.get(0).contains("192.0.2.2\tapi.example.test\n"), acls.hosts.get(0));
  }

  @Test
  void aFailedResolutionStopsTheResumedContainer() {
    acls.stored = created();
    answer = List.of();
    assertThrows(IllegalStateException.class, () -> resume(List.of(acls.read())));
    assertTrue(acls.stoppedFor.getMessage().contains("no longer resolves"));
    assertEquals(List.of(), acls.writes);
    assertEquals(List.of(), acls.hosts);
  }

  private static String egress(NetworkAcl acl, String address) {
    return AclEvaluator.egress(acl, "reject", IpPrefix.parse(address).address(), "tcp", 443);
  }
}
