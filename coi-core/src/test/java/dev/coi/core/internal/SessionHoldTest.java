package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.coi.api.CoiException;
import dev.coi.api.Session;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A session holds its container while it is open (the backend keeps its network up meanwhile: an
 * allowlist's addresses), whichever way it came to the container: made, a kept one started again,
 * or taken over from another program; closing or detaching lets go.
 */
class SessionHoldTest extends InMemoryEngineFixture {
  private DefaultSessionEngine engine;

  @BeforeEach
  void setUp() {
    engine = TestEngines.on(backend, store, home, Clock.systemUTC());
  }

  @Test
  void aNewSessionHoldsItsContainerUntilClosed() {
    assertHeldUntilClosed(engine.start(spec().build()));
  }

  /** {@code session} holds its container until it is closed, and nothing holds it after. */
  private void assertHeldUntilClosed(Session session) {
    try (session) {
      assertEquals(List.of(session.name()), backend.held());
    }
    assertEquals(List.of(), backend.held());
  }

  @Test
  void aKeptContainerStartedAgainIsHeldAgain() {
    Session first = engine.start(spec().persistent().build());
    first.close();
    assertEquals(List.of(), backend.held(), "stopped and kept: no one holds it");

    Session again = engine.start(spec().persistent().build());
    assertEquals(first.name(), again.name());
    assertHeldUntilClosed(again);
  }

  @Test
  void detachLetsGoAndTheProgramThatConnectsHoldsIt() {
    Session s = engine.start(spec().persistent().build());
    s.detach();
    assertEquals(List.of(), backend.held(), "left running for another program");

    assertHeldUntilClosed(engine.connect(s.name()));
  }

  /** A hold the backend cannot give (its allowlist cannot be refreshed) fails the start. */
  @Test
  void aHoldThatFailsFailsTheStartAndLeavesNothing() {
    backend.failHolds(new CoiException("stopped container: its network allowlist could not be"));
    CoiException refused = assertThrows(CoiException.class, () -> engine.start(spec().build()));
    assertEquals("stopped container: its network allowlist could not be", refused.getMessage());
    assertEquals(List.of(), backend.list(), "the new container is removed");
    assertEquals(List.of(), backend.held());
  }
}
