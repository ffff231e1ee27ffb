package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.tck.LiveBackendTestBase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * coi killed, signalled, or its container removed from outside, at each step of a session, against
 * the real daemon: the packaged CLI in its own JVM, held at a step by the test-only pause seam.
 * Whatever happens, the agent's state is saved, nothing is left behind, and the next run works.
 */
class CoiFaultsIT extends LiveBackendTestBase {
  /** A command that leaves agent state, says so, and then runs until it is stopped. */
  private static final String WRITE_NOTE_AND_WAIT =
      "echo %s > $HOME/.claude/note; echo ready; sleep 600";

  @TempDir Path pauses;

  private CoiChild coi(Map<String, String> env, String... args) throws IOException {
    return CoiChild.start(workspace, pauses, TEST_PREFIX, env, args);
  }

  @ParameterizedTest
  @ValueSource(strings = {"before-create", "after-create", "before-first-exec", "before-save"})
  void coiKilledAtAnyStepIsCleanedUpByTheNextRunWhichKeepsTheStateAndReusesTheSlot(String step)
      throws Exception {
    String token = "kill-" + step + "-" + System.nanoTime();
    try (CoiChild killed =
        coi(CoiChild.pausedAt(step), "run", "echo " + token + " > $HOME/.claude/note")) {
      killed.awaitPaused(step);
      killed.signal("KILL");
      assertEquals(137, killed.exitCode());
    }

    try (CoiChild next = coi(Map.of(), "run", "hostname")) {
      assertEquals(0, next.exitCode(), next.stderr());
      String container = next.readAll().strip();
      assertTrue(container.endsWith("-1"), "the next run took slot 1, not " + container);
    }
    assertEquals(List.of(), liveDirectoriesOf(workspace.toRealPath()), "live state left");
    if (step.equals("before-save")) {
      assertEquals(token + "\n", Files.readString(savedNote(token)));
    }
  }

  @ParameterizedTest
  @CsvSource({
    "before-create, TERM, 143",
    "before-create, INT, 130",
    "after-create, TERM, 143",
    "after-create, INT, 130",
    "before-first-exec, TERM, 143",
    "before-first-exec, INT, 130"
  })
  void aSignalWhileStartingEndsCoiAndLeavesNothingBehind(String step, String signal, int code)
      throws Exception {
    try (CoiChild coi = coi(CoiChild.pausedAt(step), "run", "true")) {
      coi.awaitPaused(step);
      coi.signal(signal);
      assertEquals(code, coi.exitCode(), coi.stderr());
    }
    Path ws = workspace.toRealPath();
    assertEquals(List.of(), liveDirectoriesOf(ws), "live state left");
    // A container being stopped still shows for a moment; nothingIsLeftBehind waits for it.
  }

  @ParameterizedTest
  @CsvSource({"TERM, 143", "INT, 130"})
  void aSignalDuringTheSaveWaitsForTheSaveToFinish(String signal, int code) throws Exception {
    String token = "save-" + signal + "-" + System.nanoTime();
    try (CoiChild coi =
        coi(CoiChild.pausedAt("before-save"), "run", "echo " + token + " > $HOME/.claude/note")) {
      coi.awaitPaused("before-save");
      coi.signal(signal);
      // The JVM is shutting down now: without a hook waiting for the save it would end at once.
      CoiChild.await(
          () -> !coi.isAlive() || coi.hasThread("coi-session-close"), "the close hook to run");
      assertTrue(coi.isAlive(), "coi ended in the middle of the save");
      coi.release("before-save");
      assertEquals(code, coi.exitCode(), coi.stderr());
    }
    assertEquals(token + "\n", Files.readString(savedNote(token)));
    assertEquals(List.of(), liveDirectoriesOf(workspace.toRealPath()), "live state left");
  }

  @ParameterizedTest
  @ValueSource(strings = {"delete", "stop"})
  void theContainerRemovedFromOutsideDuringRunIsAClearErrorAndTheStateIsSaved(String how)
      throws Exception {
    String token = "outside-" + how + "-" + System.nanoTime();
    try (CoiChild coi = coi(Map.of(), "run", String.format(WRITE_NOTE_AND_WAIT, token))) {
      assertEquals("ready", coi.readLine());
      String container = containersOf(workspace.toRealPath()).get(0);
      if (how.equals("delete")) {
        backend.delete(container);
      } else {
        backend.stop(container);
      }
      int exit = coi.exitCode();
      String err = coi.stderr();
      assertTrue(exit != 0, "coi exited 0 although its container went away");
      assertFalse(err.contains("Exception") || err.contains("\tat "), err);
      assertTrue(err.isEmpty() || (err.startsWith("coi: ") && err.lines().count() == 1), err);
    }
    assertEquals(token + "\n", Files.readString(savedNote(token)));
    assertEquals(List.of(), liveDirectoriesOf(workspace.toRealPath()), "live state left");
    try (CoiChild next = coi(Map.of(), "run", "echo", "again")) {
      assertEquals(0, next.exitCode(), next.stderr());
      assertEquals("again\n", next.readAll());
    }
  }

  @Test
  void theKeptContainerDeletedFromOutsideDuringTheSaveLosesNothing() throws Exception {
    String token = "during-save-" + System.nanoTime();
    try (CoiChild coi =
        coi(
            CoiChild.pausedAt("before-save"),
            "run",
            "--persistent",
            "echo " + token + " > $HOME/.claude/note")) {
      coi.awaitPaused("before-save");
      containersOf(workspace.toRealPath()).forEach(backend::delete);
      coi.release("before-save");
      assertEquals(0, coi.exitCode(), coi.stderr());
    }
    assertEquals(token + "\n", Files.readString(savedNote(token)));
    try (CoiChild next = coi(Map.of(), "run", "echo", "again")) {
      assertEquals(0, next.exitCode(), next.stderr());
      assertEquals("again\n", next.readAll());
    }
  }

  /** The live state directories under the test's sessions directory made for a workspace. */
  /**
   * The live state directories of this workspace that still hold something of the agent's. A {@code
   * coi run} with nothing of the agent's to save only asks its container to stop and leaves its
   * empty directory (a mount source until the container is gone) to the next sweep; what must never
   * be left is the agent's state, unsaved.
   */
  static List<Path> liveDirectoriesOf(Path ws) throws IOException {
    Path live = sessionsDir().resolve(".live");
    if (!Files.isDirectory(live)) {
      return List.of();
    }
    try (Stream<Path> all = Files.list(live)) {
      return all.filter(d -> madeFor(d, ws) && holdsAgentState(d)).toList();
    }
  }

  /** Files other than what coi seeded itself (the host's credentials and settings). */
  private static boolean holdsAgentState(Path liveDir) {
    try (Stream<Path> files = Files.walk(liveDir.resolve("claude"))) {
      return files
          .filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))
          .map(f -> f.getFileName().toString())
          .anyMatch(name -> !name.equals(".credentials.json") && !name.equals("settings.json"));
    } catch (IOException | UncheckedIOException gone) {
      return false;
    }
  }

  private static boolean madeFor(Path liveDir, Path ws) {
    try {
      return Files.readString(liveDir.resolve("workspace")).strip().equals(ws.toString());
    } catch (IOException gone) {
      return false;
    }
  }

  static Path sessionsDir() {
    return Path.of(System.getenv("CLAUDE_ON_INCUS_SESSIONS_DIR"));
  }

  /** The note a session saved with this token, in the sessions directory the tests use. */
  static Path savedNote(String token) throws IOException {
    try (Stream<Path> all = Files.list(sessionsDir())) {
      for (Path session : (Iterable<Path>) all::iterator) {
        Path note = session.resolve("claude/note");
        if (Files.isRegularFile(note) && Files.readString(note).contains(token)) {
          return note;
        }
      }
    }
    throw new AssertionError("no saved session under " + sessionsDir() + " holds " + token);
  }
}
