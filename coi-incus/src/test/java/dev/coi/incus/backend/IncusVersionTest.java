package dev.coi.incus.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.NetworkMode;
import dev.coi.api.NetworkSupport;
import dev.coi.incus.Network;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which Incus versions carry per-NIC ACLs, and the preflight's one line when one does not. */
class IncusVersionTest {
  @Test
  void versionsParseAsTheDaemonWritesThem() {
    assertEquals(Optional.of(new IncusVersion(6, 0, 4)), IncusVersion.parse("6.0.4"));
    assertEquals(Optional.of(new IncusVersion(6, 0, 0)), IncusVersion.parse("6.0"));
    assertEquals(Optional.of(new IncusVersion(6, 19, 1)), IncusVersion.parse("6.19.1"));
    assertEquals(Optional.of(new IncusVersion(0, 7, 0)), IncusVersion.parse(" 0.7 "));
    for (String unreadable : new String[] {"", "6", "6.0.4-rc1", "v6.0.4", "6..4", "six"}) {
      assertTrue(IncusVersion.parse(unreadable).isEmpty(), unreadable);
    }
  }

  @Test
  void theOrderIsNumericNotTextual() {
    assertTrue(new IncusVersion(6, 10, 0).compareTo(new IncusVersion(6, 9, 9)) > 0);
    assertTrue(new IncusVersion(6, 0, 10).compareTo(IncusVersion.NIC_ACLS_ON_LTS) > 0);
    assertTrue(new IncusVersion(6, 0, 3).compareTo(IncusVersion.NIC_ACLS_ON_LTS) < 0);
    assertEquals(0, IncusVersion.parse("6.0.4").get().compareTo(IncusVersion.NIC_ACLS_ON_LTS));
  }

  @Test
  void theLtsLineBefore604IsRefusedAndLaterReleasesAreLeftToTheExtensions() {
    for (String old : new String[] {"6.0.3", "6.0", "6.0.0", "0.7", "5.21.1"}) {
      String why = IncusVersion.refusesNicAcls(old).orElseThrow(() -> new AssertionError(old));
      assertTrue(why.startsWith("Incus " + old + " is older than 6.0.4"), why);
      assertTrue(why.contains("upgrade Incus"), why);
    }
    for (String fine : new String[] {"6.0.4", "6.0.5", "6.1", "6.19.1", "7.0"}) {
      assertTrue(IncusVersion.refusesNicAcls(fine).isEmpty(), fine);
    }
    String unreadable = IncusVersion.refusesNicAcls("").orElseThrow();
    assertTrue(unreadable.contains("reports its version as ''"), unreadable);
  }

  /** A managed bridge on nftables with every extension, on Incus {@code version}. */
  private static NetworkSupport bridgedOn(String version) {
    Network bridge = Network.of("incusbr0", "bridge", true, Map.of());
    return NetworkPreflight.assess(
            NetworkPreflightTest.server(version, "nftables", NetworkPreflight.EXTENSIONS),
            "default",
            Map.of("eth0", Map.of("type", "nic", "network", "incusbr0")),
            n -> Optional.of(bridge))
        .support();
  }

  /** Every extension present and nftables: the version alone refuses, in one line naming it. */
  @Test
  void thePreflightRefusesFilteredModesOnAnOldLtsWithOneLineNamingTheVersion() {
    NetworkSupport old = bridgedOn("6.0.3");
    assertFalse(old.filtering());
    assertFalse(old.supports(NetworkMode.RESTRICTED));
    assertFalse(old.supports(NetworkMode.ALLOWLIST));
    String line = old.refusal(NetworkMode.ALLOWLIST);
    assertTrue(line.contains("Incus 6.0.3 is older than 6.0.4"), line);
    assertFalse(line.contains("\n"), line);

    NetworkSupport lts = bridgedOn("6.0.4");
    assertTrue(lts.filtering(), lts.reason());
    assertTrue(bridgedOn("6.1").filtering());
  }
}
