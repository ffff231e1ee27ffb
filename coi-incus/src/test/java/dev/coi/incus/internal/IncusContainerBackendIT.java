package dev.coi.incus.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.spi.Availability;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.testing.ContainerBackendContract;
import dev.coi.incus.IncusUnavailableException;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The Incus backend against the real daemon: the whole contract, and Incus's own cases. */
class IncusContainerBackendIT extends ContainerBackendContract {
  private static final dev.coi.incus.IncusClient probe = dev.coi.incus.IncusClient.local();

  @org.junit.jupiter.api.extension.RegisterExtension
  final dev.coi.incus.LeakCheck leaks = new dev.coi.incus.LeakCheck(() -> probe);

  @Override
  protected ContainerBackend newBackend() {
    return new IncusContainerBackend();
  }

  @Override
  protected String image() {
    return "coi-test-min";
  }

  @Test
  void isFoundByServiceLoader() {
    assertTrue(
        ServiceLoader.load(ContainerBackend.class).stream()
            .anyMatch(p -> p.type() == IncusContainerBackend.class));
  }

  @Test
  void aMissingSocketMakesItUnavailableWithTheSocketAndTheRemedyNamed() {
    try (IncusContainerBackend missing =
        new IncusContainerBackend(Map.of("INCUS_SOCKET", "/nonexistent/unix.socket"))) {
      Availability a = missing.availability();
      assertFalse(a.isAvailable());
      assertTrue(a.reason().contains("/nonexistent/unix.socket"), a.reason());
      assertTrue(a.reason().contains("start the daemon"), a.reason());
      assertThrows(IncusUnavailableException.class, () -> missing.find("coi-test-anything"));
    }
  }

  @Test
  void theCreatedInstanceIsUnprivilegedWithNestingAndShiftedMounts() {
    String name = newName();
    backend.create(spec(name).build());

    Map<String, String> config = probe.instances().get(name).config();
    assertFalse("true".equals(config.get("security.privileged")));
    assertEquals("true", config.get("security.nesting"));
    assertEquals("true", config.get("security.syscalls.intercept.mknod"));
    assertEquals("contract", config.get("user.coi.test"));
    Map<String, String> disk = probe.instances().get(name).devices().get("workspace");
    assertEquals("/workspace", disk.get("path"));
    assertEquals(workspace.toString(), disk.get("source"));
  }

  @Test
  void aFailedStartLeavesNoInstanceBehind() {
    String name = newName();
    // A mount whose host directory vanished makes the start fail after the instance exists.
    ContainerSpec broken =
        spec(name)
            .addMounts(dev.coi.api.Mount.of(workspace.resolve("does-not-exist"), "/data"))
            .build();

    assertThrows(dev.coi.api.CoiException.class, () -> backend.create(broken));
    assertTrue(backend.find(name).isEmpty());
  }
}
