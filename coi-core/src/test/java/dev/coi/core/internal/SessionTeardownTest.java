package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.BackendException;
import dev.coi.api.Session;
import dev.coi.api.SessionInfo;
import dev.coi.api.SessionSpec;
import dev.coi.api.Sessions;
import dev.coi.tck.FakeContainerBackend;
import dev.coi.tck.InMemorySessionStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order in which a session ends: the container first, then its state directory, so that the
 * daemon never handles a mount whose source is gone and nothing is copied while the container can
 * still write it.
 */
class SessionTeardownTest {
  @TempDir Path workspace;
  @TempDir Path home;

  /** Whether the container was still there at each save. */
  private final List<Boolean> containerAtSave = new CopyOnWriteArrayList<>();

  private volatile RuntimeException nextDeleteFailure;

  private final FakeContainerBackend backend =
      new FakeContainerBackend("coi-sandbox") {
        @Override
        public synchronized void delete(String name) {
          RuntimeException failure = nextDeleteFailure;
          nextDeleteFailure = null;
          if (failure != null) {
            throw failure;
          }
          super.delete(name);
        }
      };

  private final InMemorySessionStore store =
      new InMemorySessionStore() {
        @Override
        public void save(SessionInfo session, Path stateDirectory) {
          containerAtSave.add(backend.find(session.container()).isPresent());
          super.save(session, stateDirectory);
        }
      };

  private DefaultSessionEngine engine;

  @BeforeEach
  void setUp() {
    engine = TestEngines.on(backend, store, home, Clock.systemUTC());
  }

  private SessionSpec.Builder spec() {
    return Sessions.builder().workspace(workspace);
  }

  private Path liveDirectoryOf(Session s) {
    return Path.of(backend.find(s.name()).orElseThrow().labels().get("state"));
  }

  @Test
  void withoutAwaitingCleanupTheStateDirectoryOutlivesTheRequestedStop() {
    Session s = engine.start(spec().awaitCleanup(false).build());
    Path live = liveDirectoryOf(s);
    s.close();

    // The daemon stops the container after close() returns, and would find its mount's source
    // gone: the directory is left for the next sweep.
    assertEquals(List.of(s.name()), backend.stopRequests());
    assertTrue(Files.isDirectory(live), live.toString());
  }

  @Test
  void withoutAwaitingCleanupAnAgentsStateIsSavedOnlyOnceTheContainerIsGone() throws IOException {
    Session s = engine.start(spec().awaitCleanup(false).build());
    Path live = liveDirectoryOf(s);
    Files.writeString(live.resolve("history.jsonl"), "the agent's\n");

    s.close();

    assertEquals(List.of(false), containerAtSave, "saved once, with the container gone");
    assertEquals(List.of(), backend.stopRequests(), "its delete was awaited");
    assertFalse(Files.exists(live), "then its state directory deleted");
  }

  @Test
  void anEphemeralSessionIsSavedAfterItsContainerIsGone() throws IOException {
    Session s = engine.start(spec().build());
    Files.writeString(liveDirectoryOf(s).resolve("history.jsonl"), "the agent's\n");

    s.close();

    assertEquals(List.of(false), containerAtSave);
  }

  @Test
  void aContainerThatCouldNotBeStoppedHasItsStateLeftForTheSweepNotCopied() throws IOException {
    Session s = engine.start(spec().build());
    Path live = liveDirectoryOf(s);
    Files.writeString(live.resolve("history.jsonl"), "the agent's\n");
    nextDeleteFailure = new BackendException(500, "daemon gone");

    assertThrows(BackendException.class, s::close);

    assertEquals(List.of(), containerAtSave, "not copied while the container may still write");
    assertTrue(Files.isRegularFile(live.resolve("history.jsonl")), "kept for the sweep");
  }

  @Test
  void aLeftStateDirectoryIsRemovedByTheNextSweepOnceItsOwnerIsGone() throws IOException {
    Session s = engine.start(spec().awaitCleanup(false).build());
    Path live = liveDirectoryOf(s);
    s.close();
    // As it is after this program exits: the owner file names a process that is gone.
    String dead = Owners.describeThisProcess().strip().replaceFirst(" \\d+ ", " 999999999 ");
    Files.writeString(live.getParent().resolve("owner"), dead);

    engine.start(spec().build()).close();

    assertFalse(Files.exists(live.getParent()), live.getParent().toString());
  }

  @Test
  void aContainerWhoseInitStoppedAsItStartedIsNamedByTheFirstCommandAndRemoved() {
    FakeContainerBackend dying =
        new FakeContainerBackend("coi-sandbox") {
          @Override
          public synchronized void create(dev.coi.api.spi.ContainerSpec spec) {
            super.create(
                dev.coi.api.spi.ContainerSpec.builder().from(spec).ephemeral(false).build());
            stop(spec.name()); // init died right after the start
          }
        };
    DefaultSessionEngine onDying = TestEngines.on(dying, store, home, Clock.systemUTC());

    BackendException e;
    try (Session session = onDying.start(spec().build())) {
      e = assertThrows(BackendException.class, () -> session.exec(List.of("true")));
      BackendException captured = assertThrows(BackendException.class, () -> session.run("true"));
      assertEquals(e.getMessage(), captured.getMessage(), "both paths explain it alike");
    }

    assertTrue(e.getMessage().contains("is not running"), e.getMessage());
    assertTrue(e.getMessage().contains("incus info --show-log claude-"), e.getMessage());
    assertEquals(List.of(), dying.list(), "nothing is left behind");
  }

  @Test
  void aCommandInAContainerDeletedFromOutsideSaysSo() {
    try (Session session = engine.start(spec().build())) {
      backend.delete(session.name());

      BackendException e = assertThrows(BackendException.class, () -> session.run("true"));

      assertTrue(e.getMessage().contains(session.name() + " is gone"), e.getMessage());
    }
  }
}
