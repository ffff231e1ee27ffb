package dev.coi.core.internal;

import dev.coi.api.SessionSpec;
import dev.coi.api.Sessions;
import dev.coi.tck.FakeContainerBackend;
import dev.coi.tck.InMemorySessionStore;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.io.TempDir;

/**
 * What tests of the engine on the in-memory backend and store start from: a workspace and a home of
 * their own, a backend that has coi's images, an empty store, and the instant their clock starts
 * at.
 */
abstract class InMemoryEngineFixture {
  static final Instant NOW = Instant.parse("2026-11-27T10:15:30Z");

  @TempDir Path workspace;
  @TempDir Path home;
  final FakeContainerBackend backend = new FakeContainerBackend("coi-sandbox", "coi-test-min");
  final InMemorySessionStore store = new InMemorySessionStore();

  /** A session of the workspace. */
  SessionSpec.Builder spec() {
    return Sessions.builder().workspace(workspace);
  }
}
