package dev.coi.incus.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.ConflictException;
import dev.coi.api.InvalidSpecException;
import dev.coi.api.IpPrefix;
import dev.coi.api.NetworkMode;
import dev.coi.api.NetworkPolicy;
import dev.coi.api.NetworkSupport;
import dev.coi.incus.IncusClient;
import dev.coi.incus.Network;
import dev.coi.incus.NetworkAcl;
import dev.coi.incus.NetworkAclRule;
import dev.coi.incus.ServerInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * coi's network ACLs on the real daemon: each one EgressRules generates is accepted, read back
 * equal and updated on condition; what Incus refuses comes back as one clear error; the sweep
 * removes coi's unused ACLs. ACLs are project objects, apart from any network: nothing here changes
 * any traffic, and no network is created.
 */
class NetworkAclIT {
  private static final IncusClient incus = IncusClient.local();
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final List<String> made = new ArrayList<>();

  @AfterEach
  void deleteWhatThisTestMade() {
    for (String name : made) {
      incus.networkAcls().find(name).ifPresent(acl -> incus.networkAcls().delete(name));
    }
  }

  @AfterAll
  static void close() {
    incus.close();
  }

  private String name(String what) {
    String name = "coi-test-" + run + "-" + what;
    made.add(name);
    return name;
  }

  private Map<String, String> labels(String container) {
    return Map.of(
        "user.coi.version",
        "1",
        "user.coi.container",
        "coi-test-" + run,
        "user.coi.created",
        Instant.now().toString(),
        "user.coi.test",
        container);
  }

  private static final List<IpPrefix> OWN =
      List.of(IpPrefix.parse("192.0.2.2"), IpPrefix.parse("fd00::2"));

  @Test
  void everyGeneratedAclIsAcceptedAndReadBackEqual() {
    List<NetworkPolicy> policies =
        List.of(
            NetworkPolicy.of(NetworkMode.RESTRICTED),
            NetworkPolicy.builder()
                .mode(NetworkMode.RESTRICTED)
                .addAllowCidrs("10.1.2.0/24", "fd12:3456::/64", "169.254.169.254")
                .build(),
            NetworkPolicy.builder()
                .mode(NetworkMode.ALLOWLIST)
                .addAllowDomains("example.org")
                .addAllowCidrs("140.82.112.0/20")
                .addPorts("443", "8000-8100")
                .build(),
            NetworkPolicy.builder().mode(NetworkMode.ALLOWLIST).build());
    List<IpPrefix> resolved =
        List.of(
            IpPrefix.parse("93.184.215.14"),
            IpPrefix.parse("2606:2800:21f::1"),
            IpPrefix.parse("10.0.0.5"));
    int n = 0;
    for (NetworkPolicy policy : policies) {
      NetworkAcl acl = EgressRules.acl(name("gen" + n++), labels("gen"), policy, OWN, resolved);
      incus.networkAcls().create(acl);
      NetworkAcl read = incus.networkAcls().get(acl.name());
      assertEquals(acl, read, policy.toString());
      assertTrue(read.usedBy().isEmpty());
    }
  }

  @Test
  void anUpdateAppliesWithTheCurrentEntityTagOnlyAndOnlyWhenNeeded() {
    NetworkAcl acl =
        EgressRules.acl(
            name("etag"), labels("etag"), NetworkPolicy.of(NetworkMode.RESTRICTED), OWN, List.of());
    incus.networkAcls().create(acl);
    NetworkAcl read = incus.networkAcls().get(acl.name());
    assertTrue(read.etag().isPresent());

    NetworkAcl changed =
        EgressRules.acl(
            acl.name(),
            acl.config(),
            NetworkPolicy.builder()
                .mode(NetworkMode.RESTRICTED)
                .addAllowCidrs("10.9.0.0/16")
                .build(),
            OWN,
            List.of());
    incus.networkAcls().update(changed, read.etag());
    NetworkAcl after = incus.networkAcls().get(acl.name());
    assertEquals(changed, after);
    assertFalse(after.etag().equals(read.etag()), "the entity tag changes with the rules");

    ConflictException stale =
        assertThrows(ConflictException.class, () -> incus.networkAcls().update(acl, read.etag()));
    assertTrue(stale.getMessage().contains("changed since it was read"), stale.getMessage());
    assertEquals(changed, incus.networkAcls().get(acl.name()), "a stale update changed nothing");
  }

  @Test
  void whatIncusRefusesComesBackAsOneLineNamingTheRule() {
    NetworkAclRule good =
        NetworkAclRule.builder().action("allow").destination("203.0.113.0/24").build();
    Map<String, NetworkAclRule> refused =
        Map.of(
            "Invalid subject \"example.com\"",
            NetworkAclRule.builder().action("allow").destination("example.com").build(),
            "State must be one of",
            NetworkAclRule.builder()
                .action("allow")
                .destination("203.0.113.0/24")
                .state("")
                .build(),
            "Destination port cannot be used without specifying protocol",
            NetworkAclRule.builder()
                .action("allow")
                .destination("203.0.113.0/24")
                .destinationPort("443")
                .build());
    refused.forEach(
        (message, rule) -> {
          String name = name("bad");
          InvalidSpecException e =
              assertThrows(
                  InvalidSpecException.class,
                  () ->
                      incus
                          .networkAcls()
                          .create(NetworkAcl.builder().name(name).addEgress(rule).build()));
          assertTrue(e.getMessage().contains(message), e.getMessage());
          assertTrue(e.getMessage().contains("egress rule 0"), e.getMessage());
          assertFalse(e.getMessage().contains("\n"), e.getMessage());
          assertTrue(incus.networkAcls().find(name).isEmpty(), "nothing half-created");
        });
    String name = name("dup");
    InvalidSpecException duplicate =
        assertThrows(
            InvalidSpecException.class,
            () ->
                incus
                    .networkAcls()
                    .create(NetworkAcl.builder().name(name).addEgress(good, good).build()));
    assertTrue(
        duplicate.getMessage().contains("Duplicate of egress rule 0"), duplicate.getMessage());
  }

  @Test
  void theSweepRemovesCoisUnusedAclsOnceTheyAreOldEnough() {
    NetworkAcl acl =
        EgressRules.acl(
            name("sweep"),
            labels("sweep"),
            NetworkPolicy.of(NetworkMode.RESTRICTED),
            OWN,
            List.of());
    incus.networkAcls().create(acl);
    NetworkAcl foreign =
        NetworkAcl.builder().name(name("foreign")).putConfig("user.coi.test", "foreign").build();
    incus.networkAcls().create(foreign);

    NetworkGuard now =
        new NetworkGuard(
            () -> incus, d -> AllowlistRefresh.Answer.failed("NXDOMAIN"), Clock.systemUTC());
    assertFalse(now.sweep().contains(acl.name()), "a young ACL may be waiting for its container");
    assertTrue(incus.networkAcls().find(acl.name()).isPresent());

    Clock later =
        Clock.fixed(
            Instant.now().plus(NetworkGuard.SWEEP_AGE).plus(Duration.ofMinutes(1)), ZoneOffset.UTC);
    List<String> swept =
        new NetworkGuard(() -> incus, d -> AllowlistRefresh.Answer.failed("NXDOMAIN"), later)
            .sweep();
    assertTrue(swept.contains(acl.name()), swept.toString());
    assertTrue(incus.networkAcls().find(acl.name()).isEmpty());
    assertTrue(incus.networkAcls().find(foreign.name()).isPresent(), "only coi's labelled ACLs");
  }

  /** This daemon's capabilities, as the preflight reads them, and what it says about them. */
  @Test
  void thePreflightReadsThisDaemonAndExplainsWhatIsMissing() {
    NetworkSupport here = new NetworkGuard(() -> incus).support();
    ServerInfo server = incus.server();
    if (incus.networks().profileNics(NetworkGuard.PROFILE).isEmpty()) {
      assertTrue(here.nic().isEmpty());
      assertTrue(
          here.reason().contains("profile 'default' gives containers no NIC"), here.reason());
      assertTrue(here.reason().contains(server.serverVersion()), here.reason());
      for (NetworkMode mode : NetworkMode.values()) {
        assertTrue(here.supports(mode));
        assertEquals(NetworkMode.NONE, here.effective(mode));
      }
    }
    // The same daemon with a bridged NIC on a managed bridge: no such network exists here, so the
    // network is described, not created.
    Network bridge = Network.of("incusbr0", "bridge", true, Map.of("ipv4.address", "10.89.4.1/24"));
    NetworkSupport bridged =
        NetworkPreflight.assess(
                server,
                "default",
                Map.of("eth0", Map.of("type", "nic", "network", "incusbr0")),
                n -> Optional.of(bridge))
            .support();
    IncusVersion version =
        IncusVersion.parse(server.serverVersion())
            .orElseThrow(() -> new AssertionError("unreadable: " + server.serverVersion()));
    boolean capable =
        server.apiExtensions().containsAll(NetworkPreflight.EXTENSIONS)
            && server.firewall().equals("nftables")
            && version.compareTo(IncusVersion.NIC_ACLS_ON_LTS) >= 0;
    assertEquals(
        version.compareTo(IncusVersion.NIC_ACLS_ON_LTS) < 0,
        bridged.reason().contains("is older than 6.0.4"),
        bridged.reason());
    assertEquals(capable, bridged.filtering(), bridged.reason());
    assertTrue(
        bridged.nic().orElseThrow().contains("firewall " + server.firewall()), bridged.nic().get());
  }
}
