package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.Session;
import dev.coi.api.SessionSpec;
import dev.coi.api.spi.ContainerBackend;
import dev.coi.api.spi.SessionStore;
import dev.coi.core.config.ConfigLoader;
import dev.coi.tck.FakeContainerBackend;
import dev.coi.tck.LiveBackendTestBase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two container hosts sharing one sessions directory: the real daemon, and a second host stood in
 * for by the in-memory backend with an identity of its own (this machine can run only one daemon).
 * A sweep through one never rescues or deletes the live state of the other's sessions, and still
 * rescues its own.
 */
class DaemonIdentityIT extends LiveBackendTestBase {
  private static final String IMAGE = "coi-test-min";

  /** An owner line naming a process that cannot exist: pid_max is at most 2^22 on Linux. */
  private static final String GONE_OWNER = "%s 999999999 2020-01-01T00:00:00Z\n";

  @TempDir Path home;
  @TempDir Path sessions;
  private FakeContainerBackend other;
  private SessionStore store;
  private DefaultSessionEngine onDaemon;
  private DefaultSessionEngine onOther;

  @BeforeEach
  void twoEnginesOneSessionsDirectory() {
    other = new FakeContainerBackend(IMAGE).identity("fake:another-daemon");
    store = SessionStores.discover(Map.of("sessions_dir", sessions.toString()));
    onDaemon = engine(backend);
    onOther = engine(other);
  }

  private DefaultSessionEngine engine(ContainerBackend containers) {
    return new DefaultSessionEngine(
        settings -> containers,
        settings -> store,
        ConfigLoader.builder()
            .environment(Map.of("CLAUDE_ON_INCUS_SESSIONS_DIR", sessions.toString()))
            .home(home)
            .build(),
        Clock.systemUTC());
  }

  private SessionSpec spec() {
    return sessionSpec(IMAGE).build();
  }

  @Test
  void theRealBackendNamesTheDaemonByItsCertificateFingerprint() throws Exception {
    Process query = new ProcessBuilder("incus", "query", "/1.0").start();
    String answer = new String(query.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, query.waitFor());
    String fingerprint = backend.identity().substring("incus:".length());
    assertTrue(fingerprint.matches("[0-9a-f]{64}"), backend.identity());
    assertTrue(answer.contains("\"certificate_fingerprint\": \"" + fingerprint + "\""), answer);
  }

  @Test
  void theDaemonsSweepLeavesTheOtherHostsOrphanedSessionAlone() throws IOException {
    Session elsewhere = onOther.start(spec());
    try {
      orphanedElsewhere(elsewhere);
    } finally {
      try {
        elsewhere.close();
      } catch (RuntimeException containerGone) {
        // Its container was removed by the test: the session's end has nothing left to do.
      }
    }
  }

  private void orphanedElsewhere(Session elsewhere) throws IOException {
    Path live = liveOf(elsewhere.id());
    Files.writeString(live.resolve("note"), "the other host's agent wrote this");
    ownerIsGone(live);

    onDaemon.sweep();

    assertEquals("the other host's agent wrote this", Files.readString(live.resolve("note")));
    assertTrue(store.find(elsewhere.id()).isEmpty(), "saved by a sweep of another daemon");

    // Its own host does rescue it, once no container of its own holds it.
    other.delete(elsewhere.name());
    onOther.sweep();
    assertTrue(store.find(elsewhere.id()).isPresent(), "not rescued by its own host");
    assertTrue(Files.notExists(live), "rescued but left in place");
  }

  @Test
  void theOtherHostsSweepLeavesARunningSessionOnTheDaemonAlone() throws IOException {
    try (Session here = onDaemon.start(spec())) {
      assertEquals(0, here.run("sh", "-c", "echo mine > $HOME/.claude/note").exitCode());
      Path live = liveOf(here.id());
      // As if the coi that started it were killed: its container still runs on the daemon.
      ownerIsGone(live);

      onOther.sweep();

      assertEquals("mine\n", Files.readString(live.resolve("note")));
      assertTrue(store.find(here.id()).isEmpty(), "saved by a sweep of another host");
      assertEquals("mine\n", here.run("cat", "/home/claude/.claude/note").stdout());
    }
    assertEquals(List.of(), containersOf(workspace.toRealPath()));
  }

  private Path liveOf(String id) {
    Path live = AgentState.liveDirectory(AgentState.root(sessions), id);
    assertTrue(Files.isDirectory(live), "no live state directory " + live);
    return live;
  }

  private static void ownerIsGone(Path live) throws IOException {
    String host = Owners.describeThisProcess().split(" ")[0];
    Files.writeString(live.getParent().resolve("owner"), String.format(GONE_OWNER, host));
  }
}
