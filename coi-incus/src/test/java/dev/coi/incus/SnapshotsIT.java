package dev.coi.incus;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.NotFoundException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Snapshots against the real daemon: take, list, restore, delete. */
class SnapshotsIT extends LiveIncusTestBase {
  private Snapshots snapshots;
  private InstanceFiles files;

  @BeforeEach
  void start() {
    snapshots = live.client.snapshots();
    files = live.client.files();
  }

  @Test
  void aRestoreTakesTheFileSystemBackToTheSnapshot() {
    String instance = live.instance("snap", true);
    files.push(instance, "/tmp/before", "kept".getBytes(UTF_8), 0, 0, 0644);
    Instant start = Instant.now().minusSeconds(5);

    snapshots.create(instance, "clean");
    files.push(instance, "/tmp/after", "lost".getBytes(UTF_8), 0, 0, 0644);
    snapshots.create(instance, "dirty");

    List<Snapshot> taken = snapshots.list(instance);
    assertEquals(
        List.of("clean", "dirty"), taken.stream().map(Snapshot::name).collect(Collectors.toList()));
    assertTrue(taken.get(0).created().isAfter(start), taken.toString());
    assertTrue(
        Duration.between(taken.get(0).created(), Instant.now()).toMinutes() < 5, taken.toString());

    snapshots.restore(instance, "clean");

    assertTrue(files.find(instance, "/tmp/after").isEmpty());
    assertEquals("kept", files.pull(instance, "/tmp/before").text());
    assertTrue(live.client.instances().get(instance).isRunning(), "still running");

    snapshots.delete(instance, "dirty");
    snapshots.delete(instance, "clean");
    assertEquals(List.of(), snapshots.list(instance));
  }

  @Test
  void aMissingSnapshotIsNotFound() {
    String instance = live.instance("snap", false);

    NotFoundException restore =
        assertThrows(NotFoundException.class, () -> snapshots.restore(instance, "nope"));
    assertTrue(restore.getMessage().contains("nope"), restore.getMessage());
    assertThrows(NotFoundException.class, () -> snapshots.delete(instance, "nope"));
    assertThrows(NotFoundException.class, () -> snapshots.list(LiveResources.name("snap-missing")));
  }
}
