package dev.coi.incus.backend;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.CoiException;
import dev.coi.api.IpPrefix;
import dev.coi.api.NetworkMode;
import dev.coi.api.NetworkPolicy;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.incus.Await;
import dev.coi.incus.IncusClient;
import dev.coi.incus.InstanceCreate;
import dev.coi.incus.LeakCheck;
import dev.coi.incus.Network;
import dev.coi.incus.NetworkAcl;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An allowlist session's {@code /etc/hosts} in a real container on the real daemon. This daemon's
 * profile has no NIC (and no bridge may be made), so every mode runs as none here: the guard is
 * given the verdict of a managed bridge on this daemon's own version and firewall, makes the real
 * ACL, and pins the file into a real container created without the NIC (whose network does not
 * exist). Only the NIC device is left out; the ACL, the file and the refresh are the real ones.
 */
class PinnedHostsIT {
  private static final String DOMAIN = "api.example.test";

  private final IncusClient incus = IncusClient.local();
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final String container = "coi-test-hosts-" + run;
  private List<String> answer = List.of("93.184.215.14", "2606:2800:21f::1");
  private final NetworkGuard guard =
      new NetworkGuard(
          () -> incus,
          incus::server,
          domain ->
              domain.equals(DOMAIN)
                  ? new AllowlistRefresh.Answer(ips(answer), AllowlistRefresh.MIN_TTL)
                  : AllowlistRefresh.Answer.failed("NXDOMAIN"),
          Clock.systemUTC());

  private static List<IpPrefix> ips(List<String> addresses) {
    return addresses.stream().map(IpPrefix::parse).toList();
  }

  @AfterEach
  void deleteWhatThisTestMade() {
    try {
      guard.close();
      if (incus.instances().find(container).isPresent()) {
        try {
          incus.instances().stop(container, true);
        } catch (CoiException stoppedAlready) {
          // it may have been stopped by the test
        }
        incus.instances().find(container).ifPresent(i -> incus.instances().delete(container));
      }
      guard.afterDelete(container);
      incus
          .networkAcls()
          .find("coi-test-" + run)
          .ifPresent(acl -> incus.networkAcls().delete(acl.name()));
    } finally {
      incus.close();
    }
  }

  /**
   * The preflight's verdict on this daemon (its version, its firewall) had its profile a NIC on a
   * managed bridge: what these machines lack, and tests may not make.
   */
  static NetworkPreflight.Result aManagedBridge(dev.coi.incus.ServerInfo server) {
    return NetworkPreflight.assess(
        server,
        NetworkGuard.PROFILE,
        Map.of("eth0", Map.of("type", "nic", "network", "incusbr0", "name", "eth0")),
        n -> Optional.of(Network.of("incusbr0", "bridge", true, Map.of())));
  }

  /** Prepares as a session on a managed bridge would, and creates the container without its NIC. */
  private NetworkGuard.Prepared createAllowlisted() {
    guard.preflight(aManagedBridge(incus.server()));
    assertTrue(guard.support().filtering(), guard.support().reason());
    ContainerSpec spec =
        ContainerSpec.builder()
            .name(container)
            .image("coi-test-min")
            .putLabels("session", "test-" + run)
            .network(
                NetworkPolicy.builder().mode(NetworkMode.ALLOWLIST).addAllowDomains(DOMAIN).build())
            .build();
    NetworkGuard.Prepared prepared = guard.prepare(spec);
    assertEquals(Optional.of("coi-test-" + run), prepared.acl());
    assertEquals("coi-test-" + run, prepared.devices().get("eth0").get("security.acls"));
    incus
        .instances()
        .create(
            InstanceCreate.builder()
                .name(container)
                .image("coi-test-min")
                .putConfig("user.coi.test", "PinnedHostsIT")
                .putConfig("user.coi.pid", LeakCheck.PID)
                .build());
    return prepared;
  }

  private String hosts() {
    return new String(incus.files().pull(container, "/etc/hosts").content(), US_ASCII);
  }

  @Test
  void theContainersHostsFileNamesTheAllowedAddressesAfterStartAndAfterARefresh() {
    NetworkGuard.Prepared prepared = createAllowlisted();
    guard.started(container, prepared);

    String first = hosts();
    assertTrue(first.contains("93.184.215.14\t" + DOMAIN + "\n"), first);
    assertTrue(first.contains("2606:2800:21f::1\t" + DOMAIN + "\n"), first);
    assertTrue(first.contains("127.0.1.1\t" + container + "\n"), first);
    assertEquals(prepared.refresh().get().hosts(), first);
    assertTrue(
        guard.allowlist(container).containsAll(List.of("93.184.215.14/32", "2606:2800:21f::1/128")),
        guard.allowlist(container).toString());

    // The agent (root in its container) points the name elsewhere; the name also rotates.
    incus
        .files()
        .push(
            container, "/etc/hosts", "6.6.6.6\tapi.example.test\n".getBytes(US_ASCII), 0, 0, 0644);
    answer = List.of("93.184.215.15", "10.0.0.1");
    prepared.refresh().get().refresh();

    String after = hosts();
    assertTrue(after.contains("93.184.215.15\t" + DOMAIN + "\n"), after);
    assertFalse(after.contains("6.6.6.6"), "the agent's edit is overwritten: " + after);
    assertFalse(after.contains("93.184.215.14"), "rotated out: no longer named: " + after);
    assertFalse(after.contains("10.0.0.1"), "a rebinding answer is never pinned: " + after);
    NetworkAcl acl = incus.networkAcls().get("coi-test-" + run);
    byte[] rotatedIn = IpPrefix.parse("93.184.215.15").address();
    byte[] rotatedOut = IpPrefix.parse("93.184.215.14").address();
    assertEquals("allow", AclEvaluator.egress(acl, "reject", rotatedIn, "tcp", 443));
    assertEquals(
        "allow",
        AclEvaluator.egress(acl, "reject", rotatedOut, "tcp", 443),
        "the daemon's ACL keeps the old address for open connections");
    assertEquals(
        List.of("93.184.215.14/31", "2606:2800:21f::1/128"),
        guard.allowlist(container),
        "what coi info shows: the kept and the new address, merged into one block");
    assertFalse(guard.allowlist(container).contains("10.0.0.1/32"));
  }

  /** /etc/hosts made a directory (by the agent) cannot be pinned: the container is stopped. */
  @Test
  void aHostsFileThatCannotBeWrittenStopsTheContainer() throws InterruptedException {
    NetworkGuard.Prepared prepared = createAllowlisted();
    if (incus.files().find(container, "/etc/hosts").isPresent()) {
      incus.files().delete(container, "/etc/hosts");
    }
    incus.files().mkdir(container, "/etc/hosts", 0, 0, 0755);

    assertThrows(CoiException.class, () -> guard.started(container, prepared));
    Await.until(
        "the container stops",
        () ->
            incus.instances().find(container).map(i -> !i.status().equals("Running")).orElse(true));
  }
}
