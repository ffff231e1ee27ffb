package dev.coi.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.ConflictException;
import dev.coi.api.ImageNotFoundException;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The life of a container: create with labels, label updates, stop, start, shutdown, delete, and
 * what a create refuses. Part of {@link ContainerBackendContract}.
 */
public interface LifecycleChecks extends BackendChecks {
  @Test
  default void isAvailable() {
    assertTrue(backend().availability().isAvailable(), backend().availability().reason());
  }

  @Test
  default void createStartsTheContainerWithItsLabels() {
    String name = newName();
    backend().create(spec(name).putLabels("slot", "3").build());

    ContainerInfo info = backend().find(name).orElseThrow();
    assertEquals(ContainerStatus.RUNNING, info.status());
    assertEquals("3", info.labels().get("slot"));
    assertEquals("contract", info.labels().get("test"));
    assertTrue(backend().list().stream().anyMatch(i -> i.name().equals(name)));
  }

  @Test
  default void aKeptEphemeralContainerSurvivesItsStop() {
    String name = newName();
    backend().create(spec(name).ephemeral(true).build());
    backend().keep(name);

    assertFalse(backend().find(name).orElseThrow().ephemeral());
    backend().stop(name);
    assertEquals(ContainerStatus.STOPPED, backend().find(name).orElseThrow().status());
  }

  @Test
  default void imagesListTheImageContainersStartFrom() {
    // The image the contract's containers are made from, without making one.
    String image = spec("coi-test-tck-unused").build().image();
    List<dev.coi.api.ImageInfo> images = backend().images();
    assertTrue(images.stream().anyMatch(i -> i.aliases().contains(image)), image + " in " + images);
    assertTrue(images.stream().allMatch(i -> !i.fingerprint().isEmpty() && i.size() >= 0));
  }

  @Test
  default void checksReportAReachableBackendAsHealthy() {
    List<dev.coi.api.HostCheck> checks = backend().checks();
    assertFalse(checks.isEmpty());
    assertTrue(
        checks.stream()
            .filter(c -> c.status() != dev.coi.api.HostCheck.Status.OK)
            .allMatch(c -> c.fix().isPresent()),
        "every finding that is not fine says what to do: " + checks);
  }

  @Test
  default void updatedLabelsAreMergedIntoTheOthers() {
    String name = newName();
    backend().create(spec(name).putLabels("slot", "3").putLabels("owner", "first").build());

    backend().updateLabels(name, Map.of("owner", "second", "extra", "yes"));

    Map<String, String> labels = backend().find(name).orElseThrow().labels();
    assertEquals("second", labels.get("owner"));
    assertEquals("yes", labels.get("extra"));
    assertEquals("3", labels.get("slot"));
  }

  @Test
  default void aKeptContainerShutsDownCleanlyAndIsKept() {
    String name = newName();
    backend().create(spec(name).ephemeral(false).build());

    backend().shutdown(name, java.time.Duration.ofSeconds(10));

    assertEquals(ContainerStatus.STOPPED, backend().find(name).orElseThrow().status());
    backend().delete(name);
  }

  @Test
  default void aSecondContainerOfTheSameNameIsAConflict() {
    String name = running();

    assertThrows(ConflictException.class, () -> backend().create(spec(name).build()));
    assertEquals(ContainerStatus.RUNNING, backend().find(name).orElseThrow().status());
  }

  @Test
  default void aMissingImageIsNamedAndLeavesNothing() {
    ImageNotFoundException e =
        refusedCreate(ImageNotFoundException.class, s -> s.image("coi-test-no-such-image"));

    assertEquals("coi-test-no-such-image", e.image());
    assertTrue(e.getMessage().contains("coi-test-no-such-image"), e.getMessage());
  }

  @Test
  default void anEphemeralContainerVanishesWhenStopped() {
    String name = newName();
    backend().create(spec(name).ephemeral(true).build());

    backend().stop(name);

    assertTrue(backend().find(name).isEmpty());
  }

  /**
   * That {@code requestStop} does not wait for the stop is left unchecked: only a clock could tell,
   * and tests assert no wall-clock bound. What every backend owes is that the stop then happens.
   */
  @Test
  default void aRequestedStopEndsWithTheEphemeralContainerGone() throws InterruptedException {
    String name = newName();
    backend().create(spec(name).ephemeral(true).build());
    assertFalse(backend().stopping().contains(name), "nobody asked for its stop yet");

    backend().requestStop(name);

    assertTrue(vanishes(name), name + " still exists 30 s after its stop was requested");
    assertTrue(eventually(() -> !backend().stopping().contains(name)), "its stop still under way");
  }

  @Test
  default void aKeptContainerStopsAndStartsAgain() {
    String name = newName();
    backend().create(spec(name).ephemeral(false).build());

    backend().stop(name);
    assertEquals(ContainerStatus.STOPPED, backend().find(name).orElseThrow().status());
    backend().start(name);
    assertEquals(ContainerStatus.RUNNING, backend().find(name).orElseThrow().status());
  }

  @Test
  default void deleteRemovesRunningAndStoppedContainersAndToleratesMissingOnes() {
    String running = newName();
    String stopped = newName();
    backend().create(spec(running).ephemeral(false).build());
    backend().create(spec(stopped).ephemeral(false).build());
    backend().stop(stopped);

    backend().delete(running);
    backend().delete(stopped);
    backend().delete(running);

    assertFalse(backend().find(running).isPresent());
    assertFalse(backend().find(stopped).isPresent());
  }

  @Test
  default void anUnknownLimitIsRefusedAndNothingIsCreated() {
    IllegalArgumentException e =
        refusedCreate(IllegalArgumentException.class, s -> s.putLimits("gpus", "2"));

    assertTrue(e.getMessage().contains("gpus"), e.getMessage());
  }
}
