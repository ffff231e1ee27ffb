package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.ConflictException;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.tck.FakeContainerBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlotAllocatorTest {
  private static final String PREFIX = "claude-";

  @TempDir Path workspace;
  @TempDir Path sessionsDir;
  private final FakeContainerBackend backend = new FakeContainerBackend("coi-sandbox");
  private final SlotAllocator allocator = new SlotAllocator();

  private ContainerSpec.Builder template() {
    return ContainerSpec.builder()
        .image("coi-sandbox")
        .ephemeral(true)
        .putLabels("workspace", workspace.toString())
        .putAllLabels(Owners.ofThisProcess());
  }

  private SlotAllocator.Claim claim(FakeContainerBackend containers, int wanted) {
    return allocator.claim(
        containers, sessionsDir, wanted, false, 10, PREFIX, workspace, template());
  }

  private String name(int slot) {
    return ContainerNames.of(PREFIX, workspace, slot);
  }

  private Path ledger() {
    return new SlotReservations(sessionsDir, workspace).ledgerFile();
  }

  private static String reservationLine(String name, String owner) {
    return name + " some-token " + owner;
  }

  @Test
  void theLockAndTheReservationsAreUnderTheSessionsDirectoryPerWorkspace() throws IOException {
    claim(backend, 0);

    Path lock = sessionsDir.resolve(".locks/" + ContainerNames.workspaceHash(workspace) + ".lock");
    assertEquals(lock, SlotReservations.lockFile(sessionsDir, workspace));
    assertTrue(Files.exists(lock), "lock file " + lock);
    assertEquals(lock.resolveSibling(ContainerNames.workspaceHash(workspace) + ".slots"), ledger());
    assertEquals(List.of(), Files.readAllLines(ledger()), "the reservation is dropped once made");
  }

  @Test
  void aSlotReservedByALiveProcessIsPassedOver() throws IOException {
    Files.createDirectories(ledger().getParent());
    Files.writeString(
        ledger(), reservationLine(name(1), Owners.describeThisProcess().strip()) + "\n");

    SlotAllocator.Claim claim = claim(backend, 0);

    assertEquals(2, claim.slot());
    assertFalse(backend.created().containsKey(name(1)), "slot 1 is left to its reserver");
    assertEquals(1, Files.readAllLines(ledger()).size(), "the other reservation is kept");
  }

  @Test
  void anExplicitSlotReservedByALiveProcessIsBusy() throws IOException {
    Files.createDirectories(ledger().getParent());
    Files.writeString(
        ledger(), reservationLine(name(3), Owners.describeThisProcess().strip()) + "\n");

    ConflictException e = assertThrows(ConflictException.class, () -> claim(backend, 3));

    assertTrue(e.getMessage().contains("slot 3"), e.getMessage());
    assertTrue(backend.created().isEmpty());
  }

  @Test
  void aReservationOfADeadProcessIsIgnoredAndDropped() throws IOException {
    // pid_max is at most 2^22 on Linux: this owner cannot be alive.
    String dead = Owners.describeThisProcess().strip().replaceFirst(" \\d+ ", " 999999999 ");
    Files.createDirectories(ledger().getParent());
    Files.writeString(ledger(), reservationLine(name(1), dead) + "\n");

    SlotAllocator.Claim claim = claim(backend, 0);

    assertEquals(1, claim.slot());
    assertEquals(List.of(), Files.readAllLines(ledger()));
  }

  @Test
  void aSlotTakenOutsideTheReservationsIsPassedOverOnTheDaemonsWord() {
    // A container without coi's labels is not listed; only the create's conflict shows it.
    backend.create(ContainerSpec.builder().name(name(1)).image("coi-sandbox").build());

    assertEquals(2, claim(backend, 0).slot());
  }

  @Test
  void anExplicitSlotStaysExplicit() {
    assertEquals(3, claim(backend, 3).slot());
    ConflictException e = assertThrows(ConflictException.class, () -> claim(backend, 3));
    assertTrue(e.getMessage().contains("slot 3"), e.getMessage());
    assertEquals(1, claim(backend, 0).slot());
  }

  @Test
  void tenThreadsAtOnceGetTenDistinctSlotsWithoutACollisionAndCreateInParallel() throws Exception {
    int sessions = 10;
    AtomicInteger conflicts = new AtomicInteger();
    // Each create waits until all ten are under way: only creates outside the lock get there.
    CountDownLatch allCreating = new CountDownLatch(sessions);
    FakeContainerBackend parallel =
        new FakeContainerBackend("coi-sandbox") {
          @Override
          public void create(ContainerSpec spec) {
            allCreating.countDown();
            try {
              assertTrue(allCreating.await(30, TimeUnit.SECONDS), "creates ran one at a time");
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            try {
              super.create(spec);
            } catch (ConflictException e) {
              conflicts.incrementAndGet();
              throw e;
            }
          }
        };
    ExecutorService threads = Executors.newFixedThreadPool(sessions);
    try {
      List<Future<Integer>> slots =
          AllAtOnce.start(threads, sessions, () -> claim(parallel, 0).slot());
      List<Integer> taken = new ArrayList<>();
      for (Future<Integer> slot : slots) {
        taken.add(slot.get(60, TimeUnit.SECONDS));
      }

      assertEquals(
          IntStream.rangeClosed(1, sessions).boxed().collect(Collectors.toList()),
          taken.stream().sorted().collect(Collectors.toList()));
      assertEquals(0, conflicts.get(), "no create met a taken name");
      assertEquals(List.of(), Files.readAllLines(ledger()));
    } finally {
      threads.shutdownNow();
    }
  }
}
