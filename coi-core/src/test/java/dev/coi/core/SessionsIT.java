package dev.coi.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.ConflictException;
import dev.coi.api.ExecResult;
import dev.coi.api.Session;
import dev.coi.api.SessionSpec;
import dev.coi.api.Sessions;
import dev.coi.tck.LiveBackendTestBase;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The public API end to end: Sessions, the engine from ServiceLoader, and the real daemon. */
class SessionsIT extends LiveBackendTestBase {
  private List<String> containers() throws IOException {
    return containersOf(workspace.toRealPath());
  }

  private SessionSpec.Builder spec() {
    return Sessions.builder()
        .workspace(workspace)
        .image("coi-test-min")
        .containerPrefix(TEST_PREFIX);
  }

  @Test
  void theShapeTheProjectIsBuiltAround() throws IOException {
    try (Session s = spec().start()) {
      ExecResult r = s.run("echo", "hello");

      assertEquals(ExecResult.of(0, "hello\n", ""), r);
      assertEquals(1, s.slot());
      assertTrue(s.name().startsWith("coi-test-"), s.name());
      assertEquals(List.of(s.name()), containers());
    }
  }

  @Test
  void sessionsSideBySideOnOneWorkspaceTakeDistinctSlotsAndShareTheFiles() throws IOException {
    try (Session first = spec().start();
        Session second = spec().start()) {
      assertEquals(1, first.slot());
      assertEquals(2, second.slot());
      assertNotEquals(first.name(), second.name());

      first.run("sh", "-c", "echo from-first > shared.txt");
      assertEquals("from-first\n", second.run("cat", "shared.txt").stdout());
    }
  }

  @Test
  void anExplicitBusySlotIsRefusedAndTheRunningSessionIsUntouched() {
    try (Session holder = spec().slot(2).start()) {
      ConflictException e = assertThrows(ConflictException.class, () -> spec().slot(2).start());
      assertTrue(e.getMessage().contains("slot 2"), e.getMessage());
      assertEquals(0, holder.run("true").exitCode());
    }
  }

  @Test
  void aPersistentSessionKeepsItsContainerForTheNext() throws IOException {
    String name;
    try (Session first = spec().persistent().start()) {
      name = first.name();
      // Outside the workspace, so only the container itself can keep it.
      first.run("sh", "-c", "echo kept > /home/claude/marker");
    }
    assertEquals(List.of(name), containers(), "a persistent container is kept, stopped");

    try (Session again = spec().persistent().start()) {
      assertEquals(name, again.name());
      assertEquals("kept\n", again.run("cat", "/home/claude/marker").stdout());
    } finally {
      backend.delete(name);
    }
  }

  @Test
  void execStreamsInputAndOutputLive() throws IOException {
    try (Session s = spec().start();
        dev.coi.api.RunningCommand cat =
            s.exec(List.of("sh", "-c", "cat; echo to-err >&2; exit 5"))) {
      cat.stdin().write("fed through stdin\n".getBytes(UTF_8));
      cat.stdin().close();
      assertEquals("fed through stdin\n", new String(cat.stdout().readAllBytes(), UTF_8));
      assertEquals("to-err\n", new String(cat.stderr().readAllBytes(), UTF_8));
      assertEquals(5, cat.waitFor());
    }
  }
}
