package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.HostCheck;
import dev.coi.api.NetworkMode;
import dev.coi.api.NetworkSupport;
import org.junit.jupiter.api.Test;

class HostChecksNetworkTest {

  @Test
  void withoutAnInterfaceEveryModeRunsAsNoneAndThatIsFine() {
    HostCheck check =
        HostChecks.network(
            NetworkSupport.withoutInterface("the default profile has no NIC"),
            NetworkMode.RESTRICTED);

    assertEquals(HostCheck.Status.OK, check.status());
    assertTrue(check.detail().contains("network.mode restricted works here"), check.detail());
    assertTrue(check.detail().contains("as none"), check.detail());
  }

  @Test
  void aModeTheDaemonCannotFilterIsAFailureThatNamesWhyAndTheWayOut() {
    NetworkSupport unfiltered =
        NetworkSupport.unfiltered(
            "eth0 on incusbr0 (bridge, xtables)", "per-NIC ACLs need the nftables driver");

    HostCheck check = HostChecks.network(unfiltered, NetworkMode.ALLOWLIST);

    assertEquals(HostCheck.Status.FAILED, check.status());
    assertTrue(check.detail().contains("per-NIC ACLs need the nftables driver"), check.detail());
    assertTrue(check.fix().orElseThrow().contains("open: supported"), check.fix().toString());
    assertEquals(HostCheck.Status.OK, HostChecks.network(unfiltered, NetworkMode.OPEN).status());
  }
}
