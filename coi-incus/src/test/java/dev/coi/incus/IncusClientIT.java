package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.BackendException;
import dev.coi.api.ConflictException;
import dev.coi.api.NotFoundException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The client's server, instance and operation API against the real daemon. */
class IncusClientIT extends LiveIncusTestBase {

  private static String newName() {
    return "coi-test-client-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static InstanceCreate.Builder container(String name) {
    return InstanceCreate.builder()
        .name(name)
        .image("coi-test-min")
        .ephemeral(true)
        .putConfig("user.coi.test", "client")
        .putConfig("user.coi.pid", LeakCheck.PID);
  }

  @Test
  void theServerSaysItsVersionAndExtensionsAndTrustsUs() {
    ServerInfo server = incus.server();
    assertTrue(server.isTrusted());
    assertTrue(server.serverVersion().startsWith("6."), server.serverVersion());
    assertTrue(server.apiExtensions().contains("instance_create_start"));
    assertTrue(server.certificate().startsWith("-----BEGIN CERTIFICATE-----"));
    incus.requireExtensions("instance_create_start", "container_disk_shift");
  }

  @Test
  void aMissingExtensionIsNamed() {
    BackendException e =
        assertThrows(
            BackendException.class,
            () -> incus.requireExtensions("instance_create_start", "coi_no_such_extension"));
    assertTrue(e.getMessage().contains("coi_no_such_extension"), e.getMessage());
    assertFalse(e.getMessage().contains("instance_create_start"), e.getMessage());
  }

  @Test
  void anInstanceGoesThroughItsStates() {
    String name = newName();
    incus.instances().create(container(name).ephemeral(false).start(false).build());
    try {
      assertTrue(incus.instances().get(name).isStopped());
      incus.instances().start(name);
      assertTrue(incus.instances().get(name).isRunning());
      incus.instances().freeze(name);
      assertEquals("Frozen", incus.instances().get(name).status());
      incus.instances().unfreeze(name);
      incus.instances().restart(name, true);
      assertTrue(incus.instances().get(name).isRunning());
      incus.instances().stop(name, true);
      assertTrue(incus.instances().get(name).isStopped());
    } finally {
      incus
          .instances()
          .find(name)
          .filter(Instance::isRunning)
          .ifPresent(i -> incus.instances().stop(name, true));
      incus.instances().delete(name);
    }
    assertEquals(Optional.empty(), incus.instances().find(name));
  }

  @Test
  void listFiltersOnConfigLabels() {
    String name = newName();
    String marker = UUID.randomUUID().toString();
    incus.instances().create(container(name).putConfig("user.coi.marker", marker).build());
    try {
      List<Instance> found = incus.instances().list(Map.of("user.coi.marker", marker));
      assertEquals(List.of(name), found.stream().map(Instance::name).toList());
      assertTrue(found.get(0).ephemeral());
    } finally {
      incus.instances().stop(name, true);
    }
  }

  @Test
  void updatesAreConditionalOnTheEntityTagAndDevicesComeAndGo() {
    String name = newName();
    incus.instances().create(container(name).build());
    try {
      Instance read = incus.instances().get(name);
      assertTrue(read.etag().isPresent());

      incus.instances().update(name, Map.of("user.coi.first", "1"), Map.of(), read.etag());
      ConflictException stale =
          assertThrows(
              ConflictException.class,
              () ->
                  incus
                      .instances()
                      .update(name, Map.of("user.coi.second", "2"), Map.of(), read.etag()));
      assertTrue(stale.getMessage().contains("changed since it was read"), stale.getMessage());

      incus
          .instances()
          .update(
              name,
              Map.of(),
              Map.of("scratch", Map.of("type", "disk", "source", "/tmp", "path", "/mnt/scratch")),
              Optional.empty());
      Instance updated = incus.instances().get(name);
      assertEquals("1", updated.config().get("user.coi.first"));
      assertFalse(updated.config().containsKey("user.coi.second"));
      assertEquals("/mnt/scratch", updated.devices().get("scratch").get("path"));

      incus.instances().removeDevice(name, "scratch");
      assertFalse(incus.instances().get(name).devices().containsKey("scratch"));
      assertThrows(NotFoundException.class, () -> incus.instances().removeDevice(name, "scratch"));
    } finally {
      incus.instances().stop(name, true);
    }
  }

  @Test
  void aRequestedStopReturnsBeforeTheEphemeralInstanceIsGone() throws InterruptedException {
    String name = newName();
    incus.instances().create(container(name).build());

    incus.instances().requestStop(name);

    long deadline = System.nanoTime() + 30_000_000_000L;
    while (incus.instances().find(name).isPresent() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(Optional.empty(), incus.instances().find(name));
  }

  @Test
  void errorsKeepTheDaemonsWordsAndTheRequest() {
    NotFoundException missing =
        assertThrows(NotFoundException.class, () -> incus.instances().get("coi-test-absent"));
    assertTrue(
        missing.getMessage().contains("GET /1.0/instances/coi-test-absent"), missing.getMessage());

    String name = newName();
    incus.instances().create(container(name).build());
    try {
      BackendException running =
          assertThrows(BackendException.class, () -> incus.instances().delete(name));
      assertEquals(400, running.status());
      assertTrue(running.getMessage().toLowerCase().contains("running"), running.getMessage());
    } finally {
      incus.instances().stop(name, true);
    }
  }

  @Test
  void theLeakCheckCatchesAnInstanceLeftBehindAndAnOpenSocket() throws Exception {
    LeakCheck check = new LeakCheck(() -> incus);
    check.beforeEach(null);
    String name = newName();
    incus.instances().create(container(name).build());
    try {
      AssertionError left = assertThrows(AssertionError.class, () -> check.afterEach(null));
      assertTrue(left.getMessage().contains("instances left behind"), left.getMessage());
    } finally {
      incus.instances().stop(name, true);
    }

    check.beforeEach(null);
    try (java.net.ServerSocket open =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      AssertionError socket = assertThrows(AssertionError.class, () -> check.afterEach(null));
      assertTrue(socket.getMessage().contains("sockets left open"), socket.getMessage());
    }
  }

  @Test
  void finishedOperationsCanBeReadAndAwaited() {
    String name = newName();
    incus.instances().create(container(name).build());
    try {
      // A stop submitted without waiting: its operation is this test's own, found by the
      // instance it works on (other runs share the daemon and its operation list).
      incus.instances().requestStop(name);
      String mine = "/1.0/instances/" + name;
      List<Operation> operations =
          incus.operations().list().stream().filter(o -> o.resources().contains(mine)).toList();
      assertFalse(operations.isEmpty(), "no operation on " + mine);
      for (Operation op : operations) {
        Operation done = incus.operations().await(op.id(), java.time.Duration.ofSeconds(60));
        assertTrue(done.isDone(), done.status());
        assertTrue(done.resources().contains(mine), done.resources().toString());
      }
      assertThrows(NotFoundException.class, () -> incus.operations().get("no-such-operation"));
    } finally {
      // Ephemeral: the daemon deletes it once stopped.
      incus
          .instances()
          .find(name)
          .filter(i -> !i.isStopped())
          .ifPresent(i -> incus.instances().stop(name, true));
    }
  }
}
