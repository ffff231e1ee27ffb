package dev.coi.incus.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.InvalidSpecException;
import dev.coi.api.NetworkMode;
import dev.coi.api.NetworkPolicy;
import dev.coi.api.NetworkSupport;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.incus.InstanceCreate;
import dev.coi.incus.Network;
import dev.coi.incus.ServerInfo;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The preflight's verdicts from daemon descriptions, and the NIC devices of a create request. */
class NetworkPreflightTest {
  private static final Map<String, Map<String, String>> BRIDGED =
      Map.of("eth0", Map.of("type", "nic", "network", "incusbr0", "name", "eth0"));
  private static final Network BRIDGE = Network.of("incusbr0", "bridge", true, Map.of());

  static ServerInfo server(String version, String firewall, List<String> extensions) {
    return dev.coi.incus.IncusValues.server(version, firewall, extensions);
  }

  private static NetworkSupport assess(
      ServerInfo server, Map<String, Map<String, String>> nics, Network network) {
    return NetworkPreflight.assess(server, "default", nics, n -> Optional.ofNullable(network))
        .support();
  }

  @Test
  void aManagedBridgeOnNftablesWithTheExtensionsFilters() {
    NetworkSupport support =
        assess(server("6.0.4", "nftables", NetworkPreflight.EXTENSIONS), BRIDGED, BRIDGE);
    assertTrue(support.filtering(), support.reason());
    assertEquals(
        "eth0 on network incusbr0 (bridge, firewall nftables), Incus 6.0.4",
        support.nic().orElseThrow());
    for (NetworkMode mode : NetworkMode.values()) {
      assertTrue(support.supports(mode));
      assertEquals(mode, support.effective(mode));
    }
  }

  @Test
  void eachMissingPieceIsNamedWithTheNicNetworkDriverAndVersion() {
    NetworkSupport xtables =
        assess(server("6.0.4", "xtables", NetworkPreflight.EXTENSIONS), BRIDGED, BRIDGE);
    assertFalse(xtables.supports(NetworkMode.RESTRICTED));
    assertTrue(
        xtables
            .reason()
            .contains("network incusbr0 of NIC eth0 is a bridge on the xtables firewall driver"),
        xtables.reason());
    String line = xtables.refusal(NetworkMode.RESTRICTED);
    assertTrue(
        line.contains("--network none") && line.contains("--network open") && !line.contains("\n"),
        line);

    NetworkSupport old =
        assess(server("6.0.3", "nftables", List.of("network_acl")), BRIDGED, BRIDGE);
    assertTrue(
        old.reason().contains("Incus 6.0.3 lacks the API extension(s) network_bridge_acl_devices"),
        old.reason());

    NetworkSupport unmanaged =
        assess(
            server("6.0.4", "nftables", NetworkPreflight.EXTENSIONS),
            Map.of("eth0", Map.of("type", "nic", "nictype", "bridged", "parent", "br0")),
            null);
    assertTrue(
        unmanaged.reason().contains("NIC eth0 is a bridged NIC on host interface br0"),
        unmanaged.reason());
    assertFalse(unmanaged.supports(NetworkMode.ALLOWLIST));
    assertTrue(unmanaged.supports(NetworkMode.OPEN) && unmanaged.supports(NetworkMode.NONE));

    NetworkSupport macvlan =
        assess(
            server("6.0.4", "nftables", NetworkPreflight.EXTENSIONS),
            BRIDGED,
            Network.of("incusbr0", "macvlan", true, Map.of()));
    assertTrue(macvlan.reason().contains("is of type macvlan"), macvlan.reason());
  }

  @Test
  void withoutANicEveryModeIsNone() {
    NetworkSupport none = assess(server("6.0.4", "nftables", List.of()), Map.of(), null);
    for (NetworkMode mode : NetworkMode.values()) {
      assertTrue(none.supports(mode));
      assertEquals(NetworkMode.NONE, none.effective(mode));
    }
    assertTrue(
        none.describe().contains("restricted: as none (nothing to filter)"), none.describe());
  }

  /** The NIC wiring, unit-tested on the request since the machines here have no NIC. */
  @Test
  void aFilteredNicKeepsTheProfilesSettingsAndCarriesTheAclWithDefaultActions() {
    Map<String, Map<String, String>> devices =
        NetworkGuard.filteredDevices(BRIDGED, List.of(BRIDGE), "coi-s1");
    assertEquals(
        Map.of(
            "type", "nic",
            "network", "incusbr0",
            "name", "eth0",
            "security.acls", "coi-s1",
            "security.acls.default.egress.action", "reject",
            "security.acls.default.ingress.action", "drop",
            "security.mac_filtering", "true",
            "security.ipv4_filtering", "true",
            "security.ipv6_filtering", "true",
            "security.port_isolation", "true"),
        devices.get("eth0"));
    assertEquals(
        Map.of("eth0", Map.of("type", "none"), "net1", Map.of("type", "none")),
        NetworkGuard.noneDevices(java.util.Set.of("net1")));
    InstanceCreate create =
        InstanceCreate.builder()
            .from(InstanceRequests.create(ContainerSpec.builder().name("c").image("i").build()))
            .putAllDevices(devices)
            .build();
    assertEquals("coi-s1", create.devices().get("eth0").get("security.acls"));
  }

  /**
   * The NIC devices a create request carries in each mode, as golden JSON: none removes every NIC,
   * open leaves the profile's, restricted and allowlist (which differ in their ACL only) put the
   * ACL, its default actions and, on a bridge, anti-spoofing and port isolation on each NIC; an OVN
   * NIC gets the ACL keys alone, the others being bridge keys OVN refuses.
   */
  @Test
  void theNicDevicesOfEachModeAreTheGoldenOnes() {
    NetworkGuard guard = offline("nftables");
    ContainerSpec spec = ContainerSpec.builder().name("claude-ab-1").image("i").build();
    Map<String, Object> byMode = new java.util.LinkedHashMap<>();
    byMode.put("none", guard.prepare(with(spec, NetworkPolicy.of(NetworkMode.NONE))).devices());
    byMode.put("open", guard.prepare(with(spec, NetworkPolicy.of(NetworkMode.OPEN))).devices());
    String acl = NetworkGuard.aclName(spec);
    Map<String, Map<String, String>> bridged =
        NetworkGuard.filteredDevices(BRIDGED, List.of(BRIDGE), acl);
    byMode.put("restricted on a bridge", bridged);
    byMode.put("allowlist on a bridge", bridged);
    byMode.put(
        "restricted or allowlist on ovn",
        NetworkGuard.filteredDevices(
            Map.of("eth0", Map.of("type", "nic", "network", "ovn0", "name", "eth0")),
            List.of(Network.of("ovn0", "ovn", true, Map.of())),
            acl));
    Golden.check("nic-devices", sorted(byMode));
  }

  /** Maps in key order, so that the golden file does not depend on Map.of's iteration. */
  @SuppressWarnings("unchecked")
  private static Object sorted(Object value) {
    if (value instanceof Map) {
      Map<String, Object> out = new java.util.TreeMap<>();
      ((Map<String, Object>) value).forEach((k, v) -> out.put(k, sorted(v)));
      return out;
    }
    return value;
  }

  /**
   * A guard that has found a managed bridge on Incus 6.0.4 with {@code firewall}, and fails any
   * request to the daemon (there is none).
   */
  private static NetworkGuard offline(String firewall) {
    NetworkGuard guard =
        new NetworkGuard(
            () -> {
              throw new AssertionError("no request to the daemon");
            });
    guard.preflight(
        NetworkPreflight.assess(
            server("6.0.4", firewall, NetworkPreflight.EXTENSIONS),
            "default",
            BRIDGED,
            n -> Optional.of(BRIDGE)));
    return guard;
  }

  private static ContainerSpec with(ContainerSpec spec, NetworkPolicy policy) {
    return ContainerSpec.builder().from(spec).network(policy).build();
  }

  @Test
  void theAclIsNamedAfterTheSessionAndAModeThatCannotBeHonouredIsRefusedBeforeAnything() {
    ContainerSpec spec =
        ContainerSpec.builder()
            .name("claude-ab-1")
            .image("i")
            .putLabels("session", "0b6a1f7e-1c5e-4c7e-9f0a-2d1e3f4a5b6c")
            .build();
    assertEquals("coi-0b6a1f7e-1c5e-4c7e-9f0a-2d1e3f4a5b6c", NetworkGuard.aclName(spec));
    assertEquals(
        "coi-claude-ab-1",
        NetworkGuard.aclName(ContainerSpec.builder().name("claude-ab-1").image("i").build()));

    NetworkGuard guard = offline("xtables");
    ContainerSpec restricted = with(spec, NetworkPolicy.of(NetworkMode.RESTRICTED));
    InvalidSpecException refused =
        assertThrows(InvalidSpecException.class, () -> guard.prepare(restricted));
    assertTrue(
        refused
            .getMessage()
            .startsWith("network mode restricted cannot be honoured: network incusbr0"),
        refused.getMessage());
    assertEquals(Map.of(), guard.prepare(with(spec, NetworkPolicy.of(NetworkMode.OPEN))).devices());
    assertEquals(Map.of(), guard.prepare(spec).devices(), "no policy: the profile as it is");
    assertEquals(
        Map.of("eth0", Map.of("type", "none")),
        guard.prepare(with(spec, NetworkPolicy.of(NetworkMode.NONE))).devices());

    guard.preflight(
        NetworkPreflight.assess(
            server("6.0.4", "nftables", List.of()), "default", Map.of(), n -> Optional.empty()));
    NetworkGuard.Prepared asNone = guard.prepare(restricted);
    assertEquals(Map.of("eth0", Map.of("type", "none")), asNone.devices());
    assertTrue(asNone.acl().isEmpty());
  }
}
