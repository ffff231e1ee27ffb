package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.CoiException;
import dev.coi.api.Session;
import dev.coi.api.TerminalSize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The container of a session stopped or deleted from outside ({@code incus stop}, {@code incus
 * delete --force}) while the agent runs in tmux, on the real daemon with the sandbox image: using
 * the session then is a clear error, closing it saves what the agent wrote, and the slot is free
 * for the next session.
 */
class AgentContainerGoneIT extends LiveSessionTestBase {
  private DefaultSessionEngine engine;

  @BeforeEach
  void engine() {
    engine = engineWith(SessionStores::discover);
  }

  @ParameterizedTest
  @ValueSource(strings = {"delete", "stop"})
  void theAgentsContainerGoneFromOutsideLosesNothingAndFreesTheSlot(String how) throws Exception {
    Session s = engine.start(spec().slot(1).build());
    try {
      assertEquals(0, s.run("sh", "-c", "echo kept > ~/.claude/note").exitCode());
      s.startAgent();
      awaitAgent(s);

      if (how.equals("delete")) {
        backend.delete(s.name());
      } else {
        backend.stop(s.name());
      }

      CoiException e =
          assertThrows(CoiException.class, () -> s.attach(TerminalSize.of(80, 24)).close());
      assertTrue(e.getMessage().contains(s.name()), e.getMessage());
      // Stopped, an ephemeral container is gone as well.
      assertTrue(
          e.getMessage().contains(s.name() + " is gone")
              || e.getMessage().contains(s.name() + " is not running"),
          e.getMessage());
    } finally {
      s.close();
    }
    Path restored = home.resolve("restored");
    store.restore(s.id(), restored);
    assertEquals("kept\n", Files.readString(restored.resolve("note")));

    try (Session next = engine.start(spec().slot(1).build())) {
      assertEquals(s.name(), next.name());
    }
  }

  private static void awaitAgent(Session s) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (!s.run("tmux", "capture-pane", "-p", "-t", Session.agentTmuxSession(s.name()))
        .stdout()
        .contains("claude-stub")) {
      assertTrue(System.nanoTime() < deadline, "the agent never showed in its pane");
      Thread.sleep(100);
    }
  }
}
