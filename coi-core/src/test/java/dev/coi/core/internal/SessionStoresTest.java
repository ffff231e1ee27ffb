package dev.coi.core.internal;

import static dev.coi.core.internal.DefaultSessionEngine.USE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.BackendUnavailableException;
import dev.coi.api.ConfigException;
import dev.coi.api.spi.Availability;
import dev.coi.api.spi.SessionStore;
import dev.coi.tck.InMemorySessionStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionStoresTest {
  @TempDir Path dir;

  @Test
  void theFileStoreIsFoundOnTheClassPathAndConfigured() {
    SessionStore store =
        SessionStores.discover(Map.of("sessions_dir", dir.resolve("sessions").toString()));

    FileSessionStore file = assertInstanceOf(FileSessionStore.class, store);
    assertEquals(dir.resolve("sessions"), file.sessionsDirectory());
  }

  @Test
  void theFileStoreCanBeNamed() {
    SessionStore store =
        SessionStores.discover(Map.of(USE, "file", "sessions_dir", dir.toString()));

    assertEquals("file", store.name());
  }

  @Test
  void anUnknownNameIsAConfigErrorListingTheStoresOnTheClassPath() {
    ConfigException e =
        assertThrows(ConfigException.class, () -> SessionStores.discover(Map.of(USE, "s3")));

    assertEquals(
        "unknown session store 's3': the class path has file (set defaults.store to one of them)",
        e.getMessage());
  }

  @Test
  void aNamedStoreThatIsUnavailableGivesItsReason() {
    Unavailable broken = new Unavailable("file", 0, "sessions_dir /x is not writable");

    BackendUnavailableException e =
        assertThrows(
            BackendUnavailableException.class,
            () ->
                SessionStores.choose(
                    List.of(new InMemorySessionStore(), broken), Map.of(USE, "file")));

    assertEquals(
        "session store file is not available: sessions_dir /x is not writable", e.getMessage());
  }

  @Test
  void theNamedStoreWinsOverOneOfHigherPriority() {
    InMemorySessionStore memory = new InMemorySessionStore();
    Unavailable high = new Unavailable("high", 10, "never");

    assertSame(memory, SessionStores.choose(List.of(high, memory), Map.of(USE, "memory")));
  }

  @Test
  void withoutANameTheAvailableStoreOfHighestPriorityIsChosen() {
    InMemorySessionStore memory = new InMemorySessionStore();
    Unavailable high = new Unavailable("high", 10, "down");

    assertSame(memory, SessionStores.choose(List.of(high, memory), Map.of()));
  }

  @Test
  void whenNoneIsAvailableEachIsListedWithItsReason() {
    BackendUnavailableException e =
        assertThrows(
            BackendUnavailableException.class,
            () ->
                SessionStores.choose(
                    List.of(
                        new Unavailable("a", 1, "reason a"), new Unavailable("b", 2, "reason b")),
                    Map.of()));

    assertEquals("no session store is available (b: reason b; a: reason a)", e.getMessage());
  }

  @Test
  void aFileStoreThatCannotCreateItsDirectoryIsNotChosen() throws Exception {
    Path file = java.nio.file.Files.writeString(dir.resolve("file"), "");

    BackendUnavailableException e =
        assertThrows(
            BackendUnavailableException.class,
            () -> SessionStores.discover(Map.of("sessions_dir", file.toString())));

    assertTrue(e.getMessage().contains("paths.sessions_dir"), e.getMessage());
  }

  /** A store that is never available. */
  private static final class Unavailable extends InMemorySessionStore {
    final String name;
    final int priority;
    final String reason;

    Unavailable(String name, int priority, String reason) {
      this.name = name;
      this.priority = priority;
      this.reason = reason;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public int priority() {
      return priority;
    }

    @Override
    public Availability availability() {
      return Availability.unavailable(reason);
    }
  }
}
