package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.tck.LiveBackendTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Incus daemon restarted under a running {@code coi run}: coi ends with its command or with one
 * clear line, the agent's state is saved, nothing is left behind, and the next run works. Restarts
 * the shared daemon (see {@link DaemonRestart}), so it is one test.
 */
class DaemonRestartIT extends LiveBackendTestBase {
  @TempDir Path pauses;

  @AfterAll
  static void theDaemonRunsWhateverHappened() throws Exception {
    DaemonRestart.ensureRunning();
  }

  @Test
  void aRunningSessionOutlivesADaemonRestartOrEndsClearlyWithItsStateSaved() throws Exception {
    String token = "restart-" + System.nanoTime();
    Path ws = workspace.toRealPath();
    String outcome;
    try (CoiChild coi =
        CoiChild.start(
            workspace,
            pauses,
            TEST_PREFIX,
            Map.of(),
            "run",
            "echo " + token + " > $HOME/.claude/note; echo ready; sleep 20; echo slept")) {
      assertEquals("ready", coi.readLine());

      DaemonRestart.restart("under a running coi run sleep 20");

      int exit = coi.exitCode();
      String err = coi.stderr();
      outcome = "coi exited " + exit + ": " + err;
      if (exit == 0) {
        assertEquals("slept\n", coi.readAll());
      } else {
        assertEquals(125, exit, err);
        assertTrue(err.startsWith("coi: ") && err.lines().count() == 1, err);
      }
    }
    assertEquals(token + "\n", Files.readString(CoiFaultsIT.savedNote(token)));
    assertEquals(List.of(), CoiFaultsIT.liveDirectoriesOf(ws), "live state left; " + outcome);
    CoiChild.await(() -> containersOf(ws).isEmpty(), "the session's container to go");

    try (CoiChild next =
        CoiChild.start(workspace, pauses, TEST_PREFIX, Map.of(), "run", "echo hello")) {
      assertEquals(0, next.exitCode(), next.stderr());
      assertEquals("hello\n", next.readAll());
    }
  }
}
