package dev.coi.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.SessionInfo;
import dev.coi.api.SessionNotFoundException;
import dev.coi.api.SessionState;
import dev.coi.api.spi.SessionStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link SessionStore} must do, real or fake. An implementation's test extends this and
 * says how to make an empty, available store; the in-memory fake and coi-core's file store pass the
 * same suite.
 */
public abstract class SessionStoreContract {
  protected static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

  protected SessionStore store;

  /** Where tests build the state trees they save and restore. */
  @TempDir protected Path trees;

  /** A new, empty store for one test; it may keep its sessions under {@link #trees}. */
  protected abstract SessionStore newStore();

  @BeforeEach
  void openStore() {
    store = newStore();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  /** A session as the engine describes one it saves: every field set. */
  protected static SessionInfo session(String id, Instant saved) {
    return SessionInfo.builder()
        .id(id)
        .container("claude-1a2b3c4d-1")
        .workspace(Path.of("/work/app"))
        .slot(1)
        .persistent(false)
        .state(SessionState.RUNNING)
        .created(saved.minusSeconds(60))
        .saved(saved)
        .build();
  }

  /** A directory under {@link #trees} with the given files (relative path to contents). */
  protected Path tree(String name, Map<String, String> files) {
    Path dir = trees.resolve(name);
    try {
      Files.createDirectories(dir);
      for (Map.Entry<String, String> file : files.entrySet()) {
        Path path = dir.resolve(file.getKey());
        Files.createDirectories(path.getParent());
        Files.writeString(path, file.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  /**
   * A directory's tree as text, to compare two trees: each entry by relative path, a directory as
   * {@code dir}, a file as its contents in Base64, a link as {@code -> target}.
   */
  protected static Map<String, String> snapshot(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      Map<String, String> entries = new TreeMap<>();
      for (Path p : walk.filter(p -> !p.equals(dir)).collect(Collectors.toList())) {
        String key = dir.relativize(p).toString();
        if (Files.isSymbolicLink(p)) {
          entries.put(key, "-> " + Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          entries.put(key, "dir");
        } else {
          entries.put(key, Base64.getEncoder().encodeToString(Files.readAllBytes(p)));
        }
      }
      return entries;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path restored(String id) {
    Path dir = trees.resolve("restored-" + id + "-" + System.nanoTime());
    store.restore(id, dir);
    return dir;
  }

  @Test
  void isAvailable() {
    assertTrue(store.availability().isAvailable(), store.availability().reason());
  }

  @Test
  void aSavedSessionIsFoundWithEveryFieldAndStateSaved() {
    SessionInfo session =
        SessionInfo.builder()
            .from(session("s-1", T0))
            .slot(7)
            .persistent(true)
            .resumedFrom("s-0")
            .putLabels("task", "JIRA-12")
            .putLabels("owner", "ci bot")
            .putLabels("empty", "")
            .build();

    store.save(session, tree("state", Map.of("a.txt", "a")));

    SessionInfo expected = SessionInfo.builder().from(session).state(SessionState.SAVED).build();
    assertEquals(Optional.of(expected), store.find("s-1"));
    assertEquals(List.of(expected), store.list());
  }

  @Test
  void aSessionWithoutResumedFromOrLabelsRoundTrips() {
    SessionInfo session = session("s-1", T0);

    store.save(session, tree("state", Map.of()));

    SessionInfo found = store.find("s-1").orElseThrow();
    assertEquals(Optional.empty(), found.resumedFrom());
    assertEquals(Map.of(), found.labels());
    assertEquals(session.created(), found.created());
    assertEquals(session.saved(), found.saved());
  }

  @Test
  void aSaveWithoutATimeIsGivenOne() {
    SessionInfo unsaved =
        SessionInfo.builder().from(session("s-1", T0)).saved(Optional.empty()).build();

    store.save(unsaved, tree("state", Map.of()));

    assertTrue(store.find("s-1").orElseThrow().saved().isPresent());
  }

  @Test
  void anUnknownSessionIsNotFound() {
    assertEquals(Optional.empty(), store.find("nobody"));
    assertEquals(List.of(), store.list());
    assertFalse(store.delete("nobody"));
    assertThrows(SessionNotFoundException.class, () -> store.restore("nobody", trees.resolve("x")));
  }

  @Test
  void listGivesTheMostRecentlySavedFirst() {
    Path state = tree("state", Map.of("a", "a"));
    store.save(session("old", T0), state);
    store.save(session("new", T0.plusSeconds(20)), state);
    store.save(session("mid", T0.plusSeconds(10)), state);

    List<String> ids = store.list().stream().map(SessionInfo::id).collect(Collectors.toList());

    assertEquals(List.of("new", "mid", "old"), ids);
  }

  @Test
  void restoreGivesBackTheSavedTree() {
    Path state = tree("state", Map.of("settings.json", "{}", "projects/app/log.jsonl", "line\n"));

    store.save(session("s-1", T0), state);

    assertEquals(snapshot(state), snapshot(restored("s-1")));
  }

  @Test
  void restoreReplacesWhatTheDirectoryHeld() throws IOException {
    store.save(session("s-1", T0), tree("state", Map.of("kept/new.txt", "saved")));
    Path target =
        tree("target", Map.of("stale.txt", "old", "kept/stale.txt", "old", "gone/x", "x"));

    store.restore("s-1", target);

    assertEquals(Map.of("kept", "dir", "kept/new.txt", b64("saved")), snapshot(target));
  }

  @Test
  void restoreCreatesAMissingDirectory() {
    store.save(session("s-1", T0), tree("state", Map.of("a.txt", "a")));
    Path target = trees.resolve("missing/parent/claude");

    store.restore("s-1", target);

    assertEquals(Map.of("a.txt", b64("a")), snapshot(target));
  }

  @Test
  void linksAreSavedAndRestoredAsLinksNeverFollowed() throws IOException {
    Path outside = tree("outside", Map.of("secret.txt", "not to be copied"));
    Path state = tree("state", Map.of("sub/file", "in"));
    Files.createSymbolicLink(state.resolve("inner"), Path.of("sub/file"));
    Files.createSymbolicLink(state.resolve("out"), outside);
    Files.createSymbolicLink(state.resolve("out-dir"), outside);
    Files.createSymbolicLink(state.resolve("dangling"), Path.of("/no/such/file"));

    store.save(session("s-1", T0), state);
    Path restored = restored("s-1");

    assertEquals(snapshot(state), snapshot(restored));
    assertEquals(outside, Files.readSymbolicLink(restored.resolve("out")));
    assertEquals(Path.of("sub/file"), Files.readSymbolicLink(restored.resolve("inner")));
    assertFalse(
        Files.exists(restored.resolve("secret.txt")), "the link's target was not copied in");
  }

  @Test
  void restoreClearsTheDirectoryWithoutFollowingItsLinksOut() throws IOException {
    Path outside = tree("outside", Map.of("secret.txt", "keep me", "sub/f", "keep me too"));
    store.save(session("s-1", T0), tree("state", Map.of("a.txt", "a")));
    Path target = tree("target", Map.of("old.txt", "old"));
    Files.createSymbolicLink(target.resolve("old-link"), outside);
    Files.createSymbolicLink(target.resolve("old-file-link"), outside.resolve("secret.txt"));

    store.restore("s-1", target);

    assertEquals(Map.of("a.txt", b64("a")), snapshot(target));
    assertEquals(
        Map.of("secret.txt", b64("keep me"), "sub", "dir", "sub/f", b64("keep me too")),
        snapshot(outside),
        "what the links led to is untouched");
  }

  @Test
  void theSavedTreeIsACopy() throws IOException {
    Path state = tree("state", Map.of("a.txt", "before"));
    store.save(session("s-1", T0), state);

    Files.writeString(state.resolve("a.txt"), "after");
    Files.writeString(state.resolve("b.txt"), "added");

    assertEquals(Map.of("a.txt", b64("before")), snapshot(restored("s-1")));
  }

  @Test
  void nestedDirectoriesEmptyDirectoriesAndBinaryFilesRoundTrip() throws IOException {
    Path state = tree("state", Map.of("projects/a/b/c/deep.txt", "deep"));
    Files.createDirectories(state.resolve("empty/inner"));
    byte[] everyByte = new byte[256 * 257];
    for (int i = 0; i < everyByte.length; i++) {
      everyByte[i] = (byte) (i * 31 + i / 256);
    }
    Files.write(state.resolve("projects/a/blob.bin"), everyByte);
    Files.write(state.resolve("zero-length"), new byte[0]);

    store.save(session("s-1", T0), state);

    Path restored = restored("s-1");
    assertEquals(snapshot(state), snapshot(restored));
    assertTrue(Files.isDirectory(restored.resolve("empty/inner")));
  }

  @Test
  void aMissingStateDirectoryIsSavedAsAnEmptyOne() {
    store.save(session("s-1", T0), trees.resolve("never-made"));

    assertTrue(store.find("s-1").isPresent());
    Path restored = restored("s-1");
    assertTrue(Files.isDirectory(restored));
    assertEquals(Map.of(), snapshot(restored));
  }

  /**
   * The agent wrote its state directory: links in it lead anywhere on the host. A save never reads
   * through them and a restore never writes through them; each comes back as the same link or not
   * at all (the store says which), never as what it led to.
   */
  @Test
  void linksInTheStateAreKeptAsLinksOrDroppedNeverFollowed() throws IOException {
    Path outside = tree("outside", Map.of("secret", "host secret", "dir/inner", "host inner"));
    Map<String, String> before = snapshot(outside);
    Path state = tree("state", Map.of("note", "mine"));
    Files.createSymbolicLink(state.resolve("settings.json"), Path.of("../outside/secret"));
    Files.createSymbolicLink(state.resolve("abs"), outside.resolve("secret"));
    Files.createSymbolicLink(state.resolve("dir"), outside.resolve("dir"));

    store.save(session("s-1", T0), state);
    Path restored = restored("s-1");

    assertEquals(before, snapshot(outside));
    Map<String, String> back = snapshot(restored);
    assertEquals(Base64.getEncoder().encodeToString("mine".getBytes()), back.get("note"));
    for (String link : List.of("settings.json", "abs", "dir")) {
      Path entry = restored.resolve(link);
      if (Files.exists(entry, LinkOption.NOFOLLOW_LINKS)) {
        assertTrue(Files.isSymbolicLink(entry), link + " came back as what it led to");
        assertEquals(Files.readSymbolicLink(state.resolve(link)), Files.readSymbolicLink(entry));
      }
    }
    assertFalse(back.containsKey("dir/inner"), "a linked directory was copied");
  }

  /** Links already in the directory a restore fills are replaced, never written through. */
  @Test
  void restoreNeverWritesThroughLinksInItsTarget() throws IOException {
    Path outside = tree("outside", Map.of("bashrc", "host bashrc", "dir/keep", "host"));
    Map<String, String> before = snapshot(outside);
    store.save(
        session("s-1", T0), tree("state", Map.of("settings.json", "{}", "dir/keep", "agent")));
    Path target = Files.createDirectories(trees.resolve("target"));
    Files.createSymbolicLink(target.resolve("settings.json"), outside.resolve("bashrc"));
    Files.createSymbolicLink(target.resolve("dir"), outside.resolve("dir"));

    store.restore("s-1", target);

    assertEquals(before, snapshot(outside));
    assertEquals("{}", Files.readString(target.resolve("settings.json")));
    assertFalse(Files.isSymbolicLink(target.resolve("dir")));
    assertEquals("agent", Files.readString(target.resolve("dir/keep")));
  }

  @Test
  void anEmptyStateDirectoryRoundTrips() {
    store.save(session("s-1", T0), tree("state", Map.of()));

    Path restored = restored("s-1");

    assertTrue(Files.isDirectory(restored));
    assertEquals(Map.of(), snapshot(restored));
  }

  @Test
  void aSecondSaveOfAnIdReplacesTheFirstWhole() {
    store.save(
        SessionInfo.builder().from(session("s-1", T0)).putLabels("v", "1").build(),
        tree("one", Map.of("first.txt", "1", "both.txt", "1")));
    Path second = tree("two", Map.of("both.txt", "2", "second/x.txt", "2"));

    store.save(
        SessionInfo.builder().from(session("s-1", T0.plusSeconds(5))).putLabels("v", "2").build(),
        second);

    assertEquals("2", store.find("s-1").orElseThrow().labels().get("v"));
    assertEquals(T0.plusSeconds(5), store.find("s-1").orElseThrow().saved().orElseThrow());
    assertEquals(1, store.list().size());
    assertEquals(snapshot(second), snapshot(restored("s-1")));
  }

  @Test
  void deleteRemovesTheSessionAndItsTree() {
    store.save(session("s-1", T0), tree("state", Map.of("a.txt", "a")));
    store.save(session("s-2", T0), tree("state", Map.of("a.txt", "a")));

    assertTrue(store.delete("s-1"));

    assertEquals(Optional.empty(), store.find("s-1"));
    assertEquals(List.of("s-2"), store.list().stream().map(SessionInfo::id).toList());
    assertThrows(SessionNotFoundException.class, () -> store.restore("s-1", trees.resolve("x")));
    assertFalse(store.delete("s-1"));
  }

  @Test
  void concurrentSavesOfOneIdEndWithOneCompleteSave() throws Exception {
    int writers = 4;
    int savesEach = 3;
    List<Path> states = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      Map<String, String> files = new TreeMap<>();
      files.put("writer", Integer.toString(w));
      for (int f = 0; f < 5; f++) {
        files.put("dir" + f + "/w" + w + ".txt", "writer " + w + " file " + f);
      }
      states.add(tree("writer-" + w, files));
    }
    CyclicBarrier start = new CyclicBarrier(writers);
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<?>> saves = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        saves.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < savesEach; i++) {
                    SessionInfo info =
                        SessionInfo.builder()
                            .from(session("shared", T0))
                            .putLabels("writer", Integer.toString(writer))
                            .build();
                    store.save(info, states.get(writer));
                  }
                  return null;
                }));
      }
      for (Future<?> save : saves) {
        save.get();
      }
    } finally {
      pool.shutdownNow();
    }

    String writer = store.find("shared").orElseThrow().labels().get("writer");
    assertEquals(1, store.list().size());
    assertEquals(
        snapshot(states.get(Integer.parseInt(writer))),
        snapshot(restored("shared")),
        "the restored tree is the one of the description's writer, whole");
  }

  protected static String b64(String text) {
    return Base64.getEncoder()
        .encodeToString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
