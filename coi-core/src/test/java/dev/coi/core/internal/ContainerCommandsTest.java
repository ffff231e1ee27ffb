package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.InvalidSpecException;
import dev.coi.api.NotFoundException;
import dev.coi.api.Session;
import dev.coi.api.SessionInfo;
import dev.coi.api.Sessions;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ContainerStatus;
import dev.coi.core.config.ConfigLoader;
import dev.coi.tck.FakeContainerBackend;
import dev.coi.tck.InMemorySessionStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kill, shutdown, persist and run by container name, on the in-memory backend. */
class ContainerCommandsTest {
  @TempDir Path workspace;
  @TempDir Path home;
  private final FakeContainerBackend backend = new FakeContainerBackend("coi-sandbox");
  private final InMemorySessionStore store = new InMemorySessionStore();
  private DefaultSessionEngine engine;

  @BeforeEach
  void engine() {
    // The home is a temporary directory: the sessions directory lands under it.
    engine =
        new DefaultSessionEngine(
            settings -> backend,
            settings -> store,
            ConfigLoader.builder().environment(Map.of()).home(home).build(),
            Clock.fixed(Instant.parse("2026-12-02T01:00:00Z"), ZoneOffset.UTC));
  }

  private Session start() {
    return engine.start(Sessions.builder().workspace(workspace).build());
  }

  @Test
  void aContainerCoiDidNotMakeIsNeverTouched() {
    backend.create(
        ContainerSpec.builder()
            .name("someone-else")
            .image("coi-sandbox")
            .putLabels("x", "y")
            .build());

    for (Runnable touch :
        List.<Runnable>of(
            () -> engine.kill("someone-else"),
            () -> engine.shutdown("someone-else", Duration.ofSeconds(1)),
            () -> engine.persist("someone-else"),
            () -> engine.run("someone-else", List.of("true")))) {
      NotFoundException e = assertThrows(NotFoundException.class, touch::run);
      assertTrue(e.getMessage().contains("not coi's"), e.getMessage());
    }
    assertEquals(ContainerStatus.RUNNING, backend.find("someone-else").orElseThrow().status());
    assertTrue(backend.find("someone-else").orElseThrow().ephemeral(), "persist left it alone");
  }

  @Test
  void anUnknownOrMalformedNameIsRefused() {
    assertThrows(NotFoundException.class, () -> engine.kill("claude-00000000-1"));
    assertThrows(InvalidSpecException.class, () -> engine.kill("../etc"));
  }

  @Test
  void killDeletesTheContainer() {
    try (Session s = start()) {
      engine.kill(s.name());
      assertTrue(backend.find(s.name()).isEmpty());
    }
  }

  @Test
  void shutdownDeletesTheContainerAndRefusesANegativeTimeout() {
    try (Session s = start()) {
      assertThrows(
          InvalidSpecException.class, () -> engine.shutdown(s.name(), Duration.ofSeconds(-1)));
      assertTrue(backend.find(s.name()).isPresent());
      engine.shutdown(s.name(), Duration.ofSeconds(5));
      assertTrue(backend.find(s.name()).isEmpty());
    }
  }

  @Test
  void aPersistedSessionsContainerIsKeptWhenItsSessionEnds() {
    String name;
    try (Session s = start()) {
      name = s.name();
      assertFalse(s.persistent());
      SessionInfo kept = engine.persist(name);
      assertTrue(kept.persistent());
      assertFalse(backend.find(name).orElseThrow().ephemeral());
    }
    assertEquals(ContainerStatus.STOPPED, backend.find(name).orElseThrow().status());
    assertEquals("persistent", backend.find(name).orElseThrow().labels().get("mode"));
    backend.delete(name);
  }
}
