package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.Session;
import dev.coi.api.Sessions;
import dev.coi.core.config.ConfigLoader;
import dev.coi.tck.InMemorySessionStore;
import dev.coi.tck.LiveBackendTestBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end of a session on the real daemon: its state directory, a disk device of the container,
 * outlives the container, so the daemon never handles a device whose source is gone (it logs
 * "Missing source path … for disk" when it does).
 */
class SessionTeardownIT extends LiveBackendTestBase {
  /** Where images/setup-host.sh has the daemon log. */
  private static final Path DAEMON_LOG = Path.of("/var/log/incusd.log");

  @TempDir Path home;

  private DefaultSessionEngine engine() {
    return new DefaultSessionEngine(
        settings -> backend,
        settings -> new InMemorySessionStore(),
        ConfigLoader.builder().environment(Map.of()).home(home).build(),
        Clock.systemUTC());
  }

  @Test
  void anEphemeralSessionEndedWithoutWaitingKeepsItsStateSourceUntilTheContainerIsGone()
      throws Exception {
    Session s =
        engine()
            .start(
                Sessions.builder()
                    .workspace(workspace)
                    .image("coi-test-min")
                    .containerPrefix(TEST_PREFIX)
                    .awaitCleanup(false)
                    .build());
    assertEquals(0, s.run("true").exitCode());
    Path live = Path.of(backend.find(s.name()).orElseThrow().labels().get("state"));

    s.close();

    // Until the daemon has stopped and deleted the container, its mount's source must be there.
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (backend.find(s.name()).isPresent()) {
      assertTrue(Files.isDirectory(live), "the state directory went before container " + s.name());
      assertTrue(System.nanoTime() < deadline, s.name() + " still there after 2 minutes");
      Thread.sleep(20);
    }
    assertEquals(List.of(), daemonLogLinesNaming(live), "the daemon missed the mount's source");
  }

  private static List<String> daemonLogLinesNaming(Path live) throws IOException {
    Assumptions.assumeTrue(Files.isReadable(DAEMON_LOG), "no daemon log at " + DAEMON_LOG);
    try (Stream<String> lines = Files.lines(DAEMON_LOG)) {
      return lines.filter(l -> l.contains(live.toString())).toList();
    }
  }
}
