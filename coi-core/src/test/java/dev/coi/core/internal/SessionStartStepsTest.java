package dev.coi.core.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.CoiException;
import dev.coi.api.InvalidSpecException;
import dev.coi.api.Session;
import dev.coi.api.SessionInfo;
import dev.coi.api.SessionSpec;
import dev.coi.api.Sessions;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ContainerStatus;
import dev.coi.tck.FakeContainerBackend;
import dev.coi.tck.InMemorySessionStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session's start fails at each of its steps in turn ({@link SessionStart}); each test checks
 * what the failure undid, and that nothing else was touched: the container, the slot, the live
 * state directory, the placeholders of protected paths, the saved sessions.
 */
class SessionStartStepsTest {
  @TempDir Path workspace;
  @TempDir Path home;

  /** Where the fake fails next: "identity", "create", "labels", "push". */
  private final Set<String> failAt = new TreeSet<>();

  private final List<String> undone = new ArrayList<>();

  private final FakeContainerBackend backend =
      new FakeContainerBackend("coi-sandbox") {
        @Override
        public String identity() {
          fail("identity");
          return super.identity();
        }

        @Override
        public synchronized void create(ContainerSpec spec) {
          fail("create");
          super.create(spec);
        }

        @Override
        public synchronized void updateLabels(String name, Map<String, String> labels) {
          fail("labels");
          super.updateLabels(name, labels);
        }

        @Override
        public synchronized void pushFile(
            String container, String path, byte[] content, int uid, int gid, int mode) {
          fail("push");
          super.pushFile(container, path, content, uid, gid, mode);
        }

        @Override
        public synchronized void delete(String name) {
          undone.add("delete " + name);
          super.delete(name);
        }

        @Override
        public void shutdown(String name, Duration timeout) {
          undone.add("shutdown " + name);
          super.shutdown(name, timeout);
        }
      };

  private final InMemorySessionStore store =
      new InMemorySessionStore() {
        @Override
        public void restore(String id, Path directory) {
          fail("restore");
          super.restore(id, directory);
        }
      };

  private DefaultSessionEngine engine;

  @BeforeEach
  void setUp() {
    engine = TestEngines.on(backend, store, home, Clock.systemUTC());
  }

  private void fail(String step) {
    if (failAt.contains(step)) {
      throw new CoiException("planted failure at " + step);
    }
  }

  private SessionSpec.Builder spec() {
    return Sessions.builder().workspace(workspace);
  }

  private Path liveRoot() {
    return home.resolve(".claude-on-incus/sessions/.live");
  }

  /** The session directories under {@code .live}. */
  private Set<String> liveDirectories() throws IOException {
    if (!Files.isDirectory(liveRoot())) {
      return Set.of();
    }
    try (Stream<Path> entries = Files.list(liveRoot())) {
      return entries.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
  }

  /** What is in the workspace, placeholders included. */
  private Set<String> workspaceEntries() throws IOException {
    try (Stream<Path> entries = Files.list(workspace)) {
      return entries.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
  }

  private CoiException failingStart(SessionSpec s) {
    return assertThrows(CoiException.class, () -> engine.start(s));
  }

  private void assertNothingLeft() throws IOException {
    assertTrue(backend.created().isEmpty(), "container left: " + backend.created().keySet());
    assertEquals(Set.of(), liveDirectories(), "live directory left");
    assertEquals(Set.of(), workspaceEntries(), "placeholder left in the workspace");
  }

  /** The slot is free again: the next start gets slot 1. */
  private void assertSlotOneFree() {
    failAt.clear();
    try (Session next = engine.start(spec().build())) {
      assertEquals(1, next.slot());
    }
  }

  @Test
  void aFailedStageMakesNothing() throws IOException {
    failAt.add("identity");
    CoiException e = failingStart(spec().build());
    assertTrue(e.getMessage().contains("planted failure at identity"), e.getMessage());
    assertNothingLeft();
    assertEquals(List.of(), undone);
    assertSlotOneFree();
  }

  @Test
  void aFailedProtectDeletesTheLiveDirectoryAndItsOwnPlaceholders() throws IOException {
    Path outside = Files.createTempFile(home, "envrc", "");
    Files.createSymbolicLink(workspace.resolve(".envrc"), outside);

    InvalidSpecException e =
        assertThrows(InvalidSpecException.class, () -> engine.start(spec().build()));
    assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    assertTrue(backend.created().isEmpty());
    assertEquals(Set.of(), liveDirectories());
    // The planted link stays as it was; every placeholder made before the refusal is gone.
    assertEquals(Set.of(".envrc"), workspaceEntries());
    assertTrue(Files.isSymbolicLink(workspace.resolve(".envrc")));
    assertEquals(List.of(), undone);
  }

  @Test
  void aFailedCreateLeavesThePlaceholdersAndDeletesTheLiveDirectory() throws IOException {
    failAt.add("create");
    failingStart(spec().build());
    assertNothingLeft();
    // Nothing was made, so nothing is deleted or stopped.
    assertEquals(List.of(), undone);
    assertSlotOneFree();
  }

  @Test
  void aFailedAttachOfAKeptContainerStopsItAndKeepsItsStateAndPlaceholders() throws IOException {
    Session first = engine.start(spec().persistent().build());
    Path keptLive = liveRoot().resolve(first.id());
    Files.writeString(keptLive.resolve("claude/notes"), "kept");
    first.close();
    Set<String> placeholders = workspaceEntries();
    assertFalse(placeholders.isEmpty());
    undone.clear();

    failAt.add("labels");
    failingStart(spec().persistent().build());

    assertEquals(List.of("shutdown " + first.name()), undone);
    assertEquals(ContainerStatus.STOPPED, backend.find(first.name()).orElseThrow().status());
    // The kept container's state is untouched; the fresh directory made for the start is gone.
    assertEquals(Set.of(first.id()), liveDirectories());
    assertEquals("kept", Files.readString(keptLive.resolve("claude/notes")));
    // The kept container mounts the placeholders again when it restarts.
    assertEquals(placeholders, workspaceEntries());
  }

  @Test
  void aFailedSeedEndsTheSessionAsAnyOtherAndLeavesTheResumedSessionAsSaved() throws IOException {
    Session first = engine.start(spec().build());
    Files.writeString(liveRoot().resolve(first.id() + "/claude/notes"), "saved");
    first.close();
    SessionInfo saved = store.find(first.id()).orElseThrow();
    undone.clear();

    failAt.add("restore");
    failingStart(spec().resume(first.id()).build());

    assertTrue(undone.size() == 1 && undone.get(0).startsWith("delete "), undone.toString());
    assertNothingLeft();
    assertEquals(List.of(saved), store.list());
    assertArrayEquals("saved".getBytes(UTF_8), store.files(first.id()).get("notes"));
    assertSlotOneFree();
  }

  @Test
  void aFailedSeedOfTheHostsProfileEndsTheSession() throws IOException {
    Files.writeString(home.resolve(".claude.json"), "{}");
    failAt.add("push");
    failingStart(spec().mountClaudeConfig(true).build());

    assertTrue(undone.size() == 1 && undone.get(0).startsWith("delete "), undone.toString());
    assertNothingLeft();
    assertTrue(store.list().isEmpty(), "a session that never started is not saved");
    Files.delete(home.resolve(".claude.json"));
    assertSlotOneFree();
  }
}
