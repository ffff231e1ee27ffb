package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.CoiException;
import dev.coi.api.ExecResult;
import dev.coi.api.Session;
import dev.coi.api.SessionNotFoundException;
import dev.coi.api.SessionState;
import dev.coi.api.spi.ContainerStatus;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A session detached by one program and taken over by another ({@link Session#detach()}, {@link
 * dev.coi.api.Sessions#connect}), on the real daemon with the agent stand-in in tmux.
 */
class SessionConnectIT extends LiveSessionTestBase {
  private DefaultSessionEngine engine;

  @BeforeEach
  void engine() {
    engine = engineWith(SessionStores::discover);
  }

  @Test
  void aDetachedSessionRunsOnIsNotSweptAndEndsWhenItsNewOwnerClosesIt() throws Exception {
    Session first = engine.start(spec().build());
    String name = first.name();
    String id = first.id();
    first.startAgent();
    out(first, "echo kept-across-owners > ~/.claude/note");

    first.detach();
    first.close(); // no effect once detached: the session is no longer this object's

    assertEquals(ContainerStatus.RUNNING, backend.find(name).orElseThrow().status());
    assertThrows(CoiException.class, () -> first.run("true"));
    engine.sweep();
    assertTrue(backend.find(name).isPresent(), "a detached session was swept");

    try (Session again = engine.connect(name)) {
      assertEquals(id, again.id());
      assertEquals(SessionState.RUNNING, again.info().state());
      // The agent started by the first owner is there to attach to.
      assertEquals(
          0,
          again
              .run("tmux", "has-session", "-t", Session.agentTmuxSession(again.name()))
              .exitCode());
      assertEquals("kept-across-owners\n", out(again, "cat ~/.claude/note"));
    }

    awaitGone(name);
    assertEquals(SessionState.SAVED, store.find(id).orElseThrow().state());
  }

  @Test
  void connectingToWhatIsNotARunningCoiSessionIsAClearErrorAndTouchesNothing() {
    SessionNotFoundException none =
        assertThrows(
            SessionNotFoundException.class, () -> engine.connect(TEST_PREFIX + "no-such-name"));
    assertTrue(none.getMessage().contains("coi list"), none.getMessage());
    assertFalse(backend.find(TEST_PREFIX + "no-such-name").isPresent());
  }

  @Test
  void aConnectedSessionCanBeDetachedAgain() throws Exception {
    Session first = engine.start(spec().build());
    String name = first.name();
    first.detach();
    Session second = engine.connect(name);
    ExecResult r = second.run("echo", "second owner");
    assertEquals("second owner\n", r.stdout());
    second.detach();
    assertEquals(ContainerStatus.RUNNING, backend.find(name).orElseThrow().status());
    engine.connect(name).close();
    awaitGone(name);
  }

  private void awaitGone(String name) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (backend.find(name).isPresent()) {
      assertTrue(System.nanoTime() < deadline, name + " was never removed");
      Thread.sleep(100);
    }
  }
}
