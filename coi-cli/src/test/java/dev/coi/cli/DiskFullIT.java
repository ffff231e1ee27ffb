package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.tck.LiveBackendTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk of the sessions directory full while a session is saved: a 2 MiB tmpfs as {@code
 * sessions_dir} (mounting needs root), and a kept session whose agent wrote more than fits twice.
 */
class DiskFullIT extends LiveBackendTestBase {
  @TempDir Path pauses;

  private CoiChild coi(Path sessions, String... args) throws Exception {
    return CoiChild.start(
        workspace,
        pauses,
        TEST_PREFIX,
        Map.of("CLAUDE_ON_INCUS_SESSIONS_DIR", sessions.toString()),
        args);
  }

  @Test
  void theSaveFailsClearlyKeepingThePreviousSaveAndTheLiveStateForTheNextTry() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "mounting needs root");
    Path sessions = Files.createTempDirectory("coi-full-disk");
    run("mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", sessions.toString());
    try {
      try (CoiChild first = coi(sessions, "run", "--persistent", "echo first > ~/.claude/note")) {
        assertEquals(0, first.exitCode(), first.stderr());
      }
      keepFromOtherRunsSweeps();
      Path saved = onlySave(sessions);
      String id = saved.getFileName().toString();

      try (CoiChild full =
          coi(
              sessions,
              "run",
              "--persistent",
              // Random bytes: a save copies zeros as holes, which take no room on the full disk.
              "echo second > ~/.claude/note; head -c 1500000 /dev/urandom > ~/.claude/big")) {
        assertEquals(125, full.exitCode());
        String err = full.stderr();
        assertTrue(err.startsWith("coi: ") && err.lines().count() == 1, err);
        assertTrue(err.contains("cannot save session " + id), err);
        assertTrue(err.contains("No space left on device"), err);
      }
      keepFromOtherRunsSweeps();
      // The previous save is whole and readable, and no half-written copy is left.
      assertEquals("first\n", Files.readString(saved.resolve("claude/note")));
      assertTrue(Files.notExists(saved.resolve("claude/big")));
      assertEquals(List.of(saved), saves(sessions));
      assertEquals(List.of(".save"), stagingAndSaves(sessions), "half-written copies left");
      // What the agent wrote is kept in the live state directory, for the next save.
      Path live = sessions.resolve(".live").resolve(id).resolve("claude");
      assertEquals("second\n", Files.readString(live.resolve("note")));
      assertEquals(1500000, Files.size(live.resolve("big")));

      run("mount", "-o", "remount,size=8m", sessions.toString());
      try (CoiChild next = coi(sessions, "run", "--persistent", "cat ~/.claude/note")) {
        assertEquals(0, next.exitCode(), next.stderr());
        assertEquals("second\n", next.readAll());
      }
      assertEquals("second\n", Files.readString(saved.resolve("claude/note")));
      assertEquals(1500000, Files.size(saved.resolve("claude/big")));
    } finally {
      // The kept container's state directory is on the tmpfs: the container goes first.
      containersOf(workspace.toRealPath()).forEach(backend::delete);
      run("umount", sessions.toString());
      Files.delete(sessions);
    }
  }

  /**
   * Names this test as the owner of the workspace's kept container: test runs sharing the daemon
   * remove {@code coi-test-} containers whose owner is gone, and a kept one between two runs has
   * none.
   */
  private void keepFromOtherRunsSweeps() throws Exception {
    ProcessHandle self = ProcessHandle.current();
    Map<String, String> owner =
        Map.of(
            "pid",
            Long.toString(self.pid()),
            "pid-started",
            self.info().startInstant().map(Object::toString).orElse(""));
    containersOf(workspace.toRealPath()).forEach(name -> backend.updateLabels(name, owner));
  }

  /** The sessions saved under the directory (their current save, by id). */
  private static List<Path> saves(Path sessions) throws Exception {
    try (Stream<Path> all = Files.list(sessions)) {
      return all.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
    }
  }

  /** The kinds of the store's hidden entries (its staging copies, its saves), one per entry. */
  private static List<String> stagingAndSaves(Path sessions) throws Exception {
    try (Stream<Path> all = Files.list(sessions)) {
      return all.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(".tmp-") || n.startsWith(".save-"))
          .map(n -> n.substring(0, n.indexOf('-')))
          .toList();
    }
  }

  /** The one session saved under the directory. */
  private static Path onlySave(Path sessions) throws Exception {
    List<Path> all = saves(sessions);
    assertEquals(1, all.size(), all.toString());
    return all.get(0);
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).inheritIO().start();
    assertEquals(0, p.waitFor(), String.join(" ", command));
  }
}
