package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coi.api.CoiException;
import dev.coi.api.InvalidSpecException;
import dev.coi.api.SessionInfo;
import dev.coi.api.spi.Availability;
import dev.coi.api.spi.SessionStore;
import dev.coi.tck.SessionStoreContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class FileSessionStoreTest extends SessionStoreContract {

  private Path sessionsDir() {
    return trees.resolve("sessions");
  }

  private FileSessionStore configured(FileSessionStore store) {
    store.configure(Map.of("sessions_dir", sessionsDir().toString()));
    return store;
  }

  @Override
  protected SessionStore newStore() {
    return configured(new FileSessionStore());
  }

  /** A store that fails, as a crash would, after copying {@code files} files of a save. */
  private FileSessionStore crashingAfter(int files) {
    AtomicInteger copied = new AtomicInteger();
    return configured(
        new FileSessionStore(
            Clock.systemUTC(),
            relative -> {
              if (copied.incrementAndGet() == files) {
                throw new IllegalStateException("crash after " + relative);
              }
            }));
  }

  private List<String> entries() throws IOException {
    try (Stream<Path> list = Files.list(sessionsDir())) {
      return list.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void aSessionIsADirectoryWithItsDescriptionAsJsonAndItsTree() throws IOException {
    store.save(
        SessionInfo.builder().from(session("s-1", T0)).putLabels("task", "x").build(),
        tree("state", Map.of("a.txt", "a")));

    Path dir = sessionsDir().resolve("s-1");
    JsonNode json = new ObjectMapper().readTree(dir.resolve("session.json").toFile());
    assertEquals("2025-03-01T10:00:00Z", json.get("saved").asText());
    assertEquals("2025-03-01T09:59:00Z", json.get("created").asText());
    assertEquals("/work/app", json.get("workspace").asText());
    assertEquals("SAVED", json.get("state").asText());
    assertEquals("x", json.get("labels").get("task").asText());
    assertEquals("a", Files.readString(dir.resolve("claude/a.txt")));
  }

  @Test
  void unknownFieldsAreIgnored() throws IOException {
    store.save(session("s-1", T0), tree("state", Map.of()));
    Path file = sessionsDir().resolve("s-1/session.json");
    ObjectMapper json = new ObjectMapper();
    ObjectNode node = (ObjectNode) json.readTree(file.toFile());
    node.put("addedLater", "by a newer coi").putObject("nested").put("x", 1);
    json.writeValue(file.toFile(), node);

    assertEquals(session("s-1", T0).id(), store.find("s-1").orElseThrow().id());
  }

  @Test
  void aCorruptDescriptionIsSkippedByListAndNamedByFind() throws IOException {
    store.save(session("good", T0), tree("state", Map.of()));
    store.save(session("bad", T0), tree("state", Map.of()));
    Files.writeString(sessionsDir().resolve("bad/session.json"), "{\"id\": \"bad\", trunc");

    assertEquals(List.of("good"), store.list().stream().map(SessionInfo::id).toList());
    CoiException e = assertThrows(CoiException.class, () -> store.find("bad"));
    assertTrue(e.getMessage().startsWith("saved session bad is unreadable ("), e.getMessage());
    assertTrue(e.getMessage().contains(sessionsDir().resolve("bad").toString()), e.getMessage());
    assertTrue(store.delete("bad"), "a corrupt session can still be deleted");
  }

  @Test
  void aCrashWhileCopyingLeavesThePreviousSaveWholeAndRestorable() {
    Path before = tree("before", Map.of("a", "1", "b", "1", "c", "1", "d", "1"));
    store.save(session("s-1", T0), before);
    Path after = tree("after", Map.of("a", "2", "b", "2", "c", "2", "d", "2"));

    FileSessionStore crashing = crashingAfter(2);
    assertThrows(
        IllegalStateException.class, () -> crashing.save(session("s-1", T0.plusSeconds(1)), after));

    assertEquals(T0, store.find("s-1").orElseThrow().saved().orElseThrow());
    Path restored = trees.resolve("restored");
    store.restore("s-1", restored);
    assertEquals(snapshot(before), snapshot(restored));
  }

  @Test
  void aCrashJustBeforeTheSwapLeavesThePreviousSave() {
    Path before = tree("before", Map.of("a", "1"));
    store.save(session("s-1", T0), before);
    FileSessionStore crashing =
        configured(
            new FileSessionStore(
                Clock.systemUTC(),
                new FileSessionStore.SaveObserver() {
                  @Override
                  public void copied(Path relative) {}

                  @Override
                  public void staged() {
                    throw new IllegalStateException("crash");
                  }
                }));

    assertThrows(
        IllegalStateException.class,
        () -> crashing.save(session("s-1", T0.plusSeconds(1)), tree("after", Map.of("a", "2"))));

    Path restored = trees.resolve("restored");
    store.restore("s-1", restored);
    assertEquals(snapshot(before), snapshot(restored));
  }

  @Test
  void leftoversOfCrashedSavesGoOnceAMinuteOldAndTheLiveDirectoryStays() throws IOException {
    store.save(session("s-1", T0), tree("state", Map.of("a", "1")));
    Path staging = sessionsDir().resolve(".tmp-s-1-0123456789abcdef");
    Files.createDirectories(staging.resolve("claude/sub"));
    Files.writeString(staging.resolve("claude/sub/f"), "half");
    Path unusedSave = sessionsDir().resolve(".save-s-2-0123456789abcdef");
    Files.createDirectories(unusedSave.resolve("claude"));
    Path live = sessionsDir().resolve(".live/abc/claude");
    Files.createDirectories(live);
    Files.writeString(live.resolve(".credentials.json"), "{}");
    Path foreign = sessionsDir().resolve(".tmp-not-ours");
    Files.createDirectories(foreign);

    store.list();
    assertTrue(Files.exists(staging), "a fresh leftover may be a save in progress");

    FileSessionStore aMinuteLater =
        configured(
            new FileSessionStore(
                Clock.offset(Clock.systemUTC(), Duration.ofMinutes(2)),
                FileSessionStore.SaveObserver.NONE));
    aMinuteLater.list();

    assertFalse(Files.exists(staging));
    assertFalse(Files.exists(unusedSave));
    assertTrue(Files.exists(live.resolve(".credentials.json")));
    assertTrue(Files.exists(foreign), "names the store did not make are left alone");
    assertEquals("1", Files.readString(sessionsDir().resolve("s-1/claude/a")));
  }

  @Test
  void aSaveLeavesNothingButTheSessionAndItsLock() throws IOException {
    store.save(session("s-1", T0), tree("state", Map.of("a", "1")));
    store.save(session("s-1", T0), tree("state", Map.of("a", "2")));

    List<String> entries = entries();
    assertEquals(3, entries.size(), entries.toString());
    assertEquals(".locks", entries.get(0));
    assertTrue(entries.get(1).startsWith(".save-s-1-"), entries.toString());
    assertEquals("s-1", entries.get(2));
  }

  @Test
  void whatTheStoreCreatesIsPrivate() throws IOException {
    Path state = tree("state", Map.of("a", "1"));
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));

    store.save(session("s-1", T0), state);

    assertEquals("rwx------", mode(sessionsDir()));
    assertEquals("rwx------", mode(sessionsDir().resolve(".locks")));
    assertEquals("rwx------", mode(sessionsDir().resolve("s-1").toRealPath()));
    assertEquals("rwx------", mode(sessionsDir().resolve("s-1/claude")));
    assertEquals("rw-------", mode(sessionsDir().resolve("s-1/session.json")));
    Path restored = trees.resolve("new/claude");
    store.restore("s-1", restored);
    assertEquals("rwx------", mode(restored));
  }

  @Test
  void fileAndDirectoryModesAreKept() throws IOException {
    Path state = tree("state", Map.of("bin/run.sh", "#!/bin/sh\n", "secret", "s", "ro/f", "f"));
    Files.setPosixFilePermissions(
        state.resolve("bin/run.sh"), PosixFilePermissions.fromString("rwxr-x---"));
    Files.setPosixFilePermissions(
        state.resolve("secret"), PosixFilePermissions.fromString("r--------"));
    Files.setPosixFilePermissions(
        state.resolve("ro"), PosixFilePermissions.fromString("r-x------"));

    store.save(session("s-1", T0), state);
    Path restored = trees.resolve("restored");
    store.restore("s-1", restored);

    assertEquals("rwxr-x---", mode(restored.resolve("bin/run.sh")));
    assertEquals("r--------", mode(restored.resolve("secret")));
    assertEquals("r-x------", mode(restored.resolve("ro")));
    // A read-only directory in a save does not stop the save being replaced or deleted.
    store.save(session("s-1", T0), tree("other", Map.of()));
    assertTrue(store.delete("s-1"));
  }

  /** The contract checks links through save and restore; here, the copy on disk itself. */
  @Test
  void aLinkIsALinkInTheSavedCopy() throws IOException {
    Path outside = tree("outside", Map.of("secret.txt", "not to be copied"));
    Path state = tree("state", Map.of());
    Files.createSymbolicLink(state.resolve("out"), outside);

    store.save(session("s-1", T0), state);

    Path saved = sessionsDir().resolve("s-1").toRealPath().resolve("claude/out");
    assertTrue(Files.isSymbolicLink(saved));
    assertEquals(outside, Files.readSymbolicLink(saved));
  }

  @Test
  void aRestoreIntoALinkIsRefused() throws IOException {
    store.save(session("s-1", T0), tree("state", Map.of("a", "1")));
    Path real = tree("real", Map.of("keep", "k"));
    Path link = Files.createSymbolicLink(trees.resolve("link"), real);

    assertThrows(CoiException.class, () -> store.restore("s-1", link));
    assertEquals(Map.of("keep", b64("k")), snapshot(real));
  }

  @Test
  void twoStoresOnOneDirectoryTakeTurns() throws Exception {
    FileSessionStore other = configured(new FileSessionStore());
    Path one = tree("one", Map.of("w", "1", "x/y", "1"));
    Path two = tree("two", Map.of("w", "2", "z", "2"));
    Thread t =
        new Thread(
            () -> {
              for (int i = 0; i < 5; i++) {
                other.save(
                    SessionInfo.builder().from(session("s", T0)).putLabels("w", "2").build(), two);
              }
            });
    t.start();
    for (int i = 0; i < 5; i++) {
      store.save(SessionInfo.builder().from(session("s", T0)).putLabels("w", "1").build(), one);
    }
    t.join();

    Path restored = trees.resolve("restored");
    store.restore("s", restored);
    String writer = store.find("s").orElseThrow().labels().get("w");
    assertEquals(snapshot(writer.equals("1") ? one : two), snapshot(restored));
  }

  @Test
  void badIdsAreRefusedBeforeTouchingTheDisk() {
    for (String id : List.of("", ".hidden", "../escape", "a/b", "a..b", "-x", "a b")) {
      assertThrows(
          InvalidSpecException.class,
          () -> store.save(session(id, T0), trees),
          () -> "id '" + id + "'");
      assertThrows(InvalidSpecException.class, () -> store.find(id));
      assertThrows(InvalidSpecException.class, () -> store.delete(id));
      assertThrows(InvalidSpecException.class, () -> store.restore(id, trees.resolve("x")));
    }
    assertFalse(Files.exists(sessionsDir()));
  }

  @Test
  void aFileInTheWayMakesTheStoreUnavailableWithTheFix() throws IOException {
    Path file = Files.writeString(trees.resolve("file"), "");
    FileSessionStore blocked = new FileSessionStore();
    blocked.configure(Map.of("sessions_dir", file.resolve("sessions").toString()));

    Availability availability = blocked.availability();

    assertFalse(availability.isAvailable());
    assertTrue(availability.reason().contains(file.toString()), availability.reason());
    assertTrue(availability.reason().contains("paths.sessions_dir"), availability.reason());
    CoiException e = assertThrows(CoiException.class, () -> blocked.save(session("s", T0), trees));
    assertEquals(availability.reason(), e.getMessage());
  }

  @Test
  void aSessionsDirThatIsAFileIsUnavailable() throws IOException {
    Path file = Files.writeString(trees.resolve("file"), "");
    FileSessionStore blocked = new FileSessionStore();
    blocked.configure(Map.of("sessions_dir", file.toString()));

    Availability availability = blocked.availability();

    assertFalse(availability.isAvailable());
    assertTrue(availability.reason().contains(file.toString()), availability.reason());
    assertTrue(availability.reason().contains("paths.sessions_dir"), availability.reason());
  }

  @Test
  void aRelativeSessionsDirIsUnavailable() {
    FileSessionStore relative = new FileSessionStore();
    relative.configure(Map.of("sessions_dir", "sessions"));

    Availability availability = relative.availability();

    assertFalse(availability.isAvailable());
    assertTrue(availability.reason().contains("paths.sessions_dir"), availability.reason());
  }

  @Test
  void theDefaultSessionsDirIsUnderTheHomeDirectory() {
    assertEquals(
        Path.of(System.getProperty("user.home"), ".claude-on-incus", "sessions"),
        new FileSessionStore().sessionsDirectory());
    assertEquals(Optional.of("file"), Optional.of(new FileSessionStore().name()));
  }
}
