package dev.coi.core.internal;

import static dev.coi.core.internal.DefaultSessionEngine.USE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.BackendUnavailableException;
import dev.coi.api.ConfigException;
import dev.coi.api.spi.SessionStore;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session store's choice: its words and its discovery ({@link ProviderChoiceTest} has the
 * rest).
 */
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
  void aFileStoreThatCannotCreateItsDirectoryIsNotChosenAndNamedGivesItsReason() throws Exception {
    String file = java.nio.file.Files.writeString(dir.resolve("file"), "").toString();

    String best = refusal(Map.of("sessions_dir", file));
    String named = refusal(Map.of(USE, "file", "sessions_dir", file));

    assertTrue(best.contains("paths.sessions_dir"), best);
    assertTrue(named.startsWith("session store file is not available: "), named);
    assertTrue(named.contains("paths.sessions_dir"), named);
  }

  private static String refusal(Map<String, String> settings) {
    return assertThrows(BackendUnavailableException.class, () -> SessionStores.discover(settings))
        .getMessage();
  }
}
