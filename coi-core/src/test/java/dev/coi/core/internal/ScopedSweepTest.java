package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.spi.ContainerSpec;
import dev.coi.core.config.ConfigLoader;
import dev.coi.tck.FakeContainerBackend;
import dev.coi.tck.InMemorySessionStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code Sessions.sweep(which)}: the sweep limited to the sessions a caller names. */
class ScopedSweepTest {
  // pid_max is at most 2^22 on Linux: an owner with this pid cannot be alive.
  private static final String DEAD_PID = "999999999";

  @TempDir Path workspace;
  @TempDir Path home;
  private final FakeContainerBackend backend = new FakeContainerBackend("coi-test-min");
  private DefaultSessionEngine engine;

  @BeforeEach
  void setUp() {
    engine =
        new DefaultSessionEngine(
            settings -> backend,
            settings -> new InMemorySessionStore(),
            ConfigLoader.builder().environment(Map.of()).home(home).build(),
            Clock.systemUTC());
  }

  private void plant(String name, String pid, Map<String, String> callerLabels) throws IOException {
    ContainerSpec.Builder spec =
        ContainerSpec.builder()
            .name(name)
            .image("coi-test-min")
            .putLabels("session", name)
            .putLabels("mode", "ephemeral")
            .putLabels("workspace", workspace.toRealPath().toString())
            .putLabels("slot", "1")
            .putLabels("pid", pid);
    callerLabels.forEach((k, v) -> spec.putLabels("label." + k, v));
    backend.create(spec.build());
  }

  @Test
  void onlyAbandonedSessionsTheFilterAcceptsAreRemoved() throws IOException {
    String self = Long.toString(ProcessHandle.current().pid());
    plant("mine-dead", DEAD_PID, Map.of("tool.run", "r1"));
    plant("mine-alive", self, Map.of("tool.run", "r2"));
    plant("other-dead", DEAD_PID, Map.of("else", "x"));

    List<String> swept = engine.sweep(s -> s.labels().containsKey("tool.run"));

    assertEquals(List.of("mine-dead"), swept);
    assertTrue(backend.find("mine-dead").isEmpty());
    assertTrue(backend.find("mine-alive").isPresent(), "its owner is alive");
    assertTrue(backend.find("other-dead").isPresent(), "the filter did not name it");
  }

  @Test
  void theUnscopedSweepStillTakesEveryAbandonedSession() throws IOException {
    plant("a", DEAD_PID, Map.of("tool.run", "r1"));
    plant("b", DEAD_PID, Map.of());

    assertEquals(List.of("a", "b"), engine.sweep().stream().sorted().toList());
  }

  /**
   * A container whose program asked for its stop as it ended is on its way out: the sweep leaves it
   * to the daemon rather than waiting, unless its state directory holds agent state to save.
   */
  @Test
  void anAbandonedContainerWhoseStopIsUnderWayIsLeftToItUnlessItHasStateToSave() throws Exception {
    FakeContainerBackend stoppingBackend =
        new FakeContainerBackend("coi-test-min") {
          @Override
          public java.util.Set<String> stopping() {
            return java.util.Set.of("leaving", "leaving-with-state");
          }
        };
    DefaultSessionEngine withStops =
        new DefaultSessionEngine(
            settings -> stoppingBackend,
            settings -> new InMemorySessionStore(),
            ConfigLoader.builder().environment(Map.of()).home(home).build(),
            Clock.systemUTC());
    Path liveRoot = home.resolve(".claude-on-incus/sessions/.live");
    Path empty = java.nio.file.Files.createDirectories(liveRoot.resolve("s1/claude"));
    Path written = java.nio.file.Files.createDirectories(liveRoot.resolve("s2/claude"));
    java.nio.file.Files.writeString(written.resolve("history.jsonl"), "{}\n");
    plantOn(stoppingBackend, "leaving", Map.of("state", empty.toString()));
    plantOn(stoppingBackend, "leaving-with-state", Map.of("state", written.toString()));
    plantOn(stoppingBackend, "killed", Map.of());

    List<String> swept = withStops.sweep().stream().sorted().toList();

    assertEquals(List.of("killed", "leaving-with-state"), swept);
    assertTrue(stoppingBackend.find("leaving").isPresent(), "left to stop by itself");
    assertTrue(java.nio.file.Files.isDirectory(empty), "its state directory waits for it");
    assertTrue(stoppingBackend.find("leaving-with-state").isEmpty());
    assertTrue(stoppingBackend.find("killed").isEmpty());
  }

  @Test
  void aBackendThatCannotSayWhatIsStoppingHasItsAbandonedContainersSweptAsBefore()
      throws Exception {
    FakeContainerBackend failing =
        new FakeContainerBackend("coi-test-min") {
          @Override
          public java.util.Set<String> stopping() {
            throw new dev.coi.api.BackendException(500, "operations unavailable");
          }
        };
    plantOn(failing, "killed", Map.of());

    List<String> swept =
        new DefaultSessionEngine(
                settings -> failing,
                settings -> new InMemorySessionStore(),
                ConfigLoader.builder().environment(Map.of()).home(home).build(),
                Clock.systemUTC())
            .sweep();

    assertEquals(List.of("killed"), swept);
    assertTrue(failing.find("killed").isEmpty());
  }

  private void plantOn(FakeContainerBackend on, String name, Map<String, String> labels)
      throws IOException {
    ContainerSpec.Builder spec =
        ContainerSpec.builder()
            .name(name)
            .image("coi-test-min")
            .ephemeral(true)
            .putLabels("session", name)
            .putLabels("mode", "ephemeral")
            .putLabels("workspace", workspace.toRealPath().toString())
            .putLabels("slot", "1")
            .putLabels("pid", DEAD_PID)
            .putAllLabels(labels);
    on.create(spec.build());
  }
}
