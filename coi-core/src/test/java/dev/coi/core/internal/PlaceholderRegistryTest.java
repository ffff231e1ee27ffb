package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.spi.ContainerSpec;
import dev.coi.tck.FakeContainerBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Placeholders go with the last session of a workspace that uses them, never before. */
class PlaceholderRegistryTest {
  private static final List<String> PATHS = List.of(".envrc", ".vscode/", ".claude/settings.json");

  @TempDir Path dir;
  private Path ws;
  private Path sessions;
  private PlaceholderRegistry registry;
  private final FakeContainerBackend backend = new FakeContainerBackend("img");

  @BeforeEach
  void workspace() throws IOException {
    ws = Files.createDirectory(dir.resolve("ws")).toRealPath();
    sessions = dir.resolve("sessions");
    registry = new PlaceholderRegistry(sessions, ws);
  }

  private ProtectedPaths.Plan enter(String id) {
    return registry.enter(id, PATHS, Workspaces.owner(ws));
  }

  private boolean placeholdersThere() {
    return Files.exists(ws.resolve(".envrc"))
        && Files.isDirectory(ws.resolve(".vscode"))
        && Files.isDirectory(ws.resolve(".claude"));
  }

  private List<String> workspaceEntries() throws IOException {
    try (var entries = Files.list(ws)) {
      return entries.map(p -> p.getFileName().toString()).toList();
    }
  }

  @Test
  void theLastOfTwoSessionsRemovesThePlaceholdersTheFirstMade() throws IOException {
    assertEquals(3, enter("a").placeholders().size());
    // b finds a's there; only inside a's placeholder directory does it make one of its own.
    assertEquals(List.of(ws.resolve(".claude/settings.json")), enter("b").placeholders());

    registry.leave("a", backend, null);
    assertTrue(placeholdersThere(), "b still mounts them");

    registry.leave("b", backend, null);
    assertEquals(List.of(), workspaceEntries());
    assertFalse(
        Files.exists(
            sessions
                .resolve(".locks")
                .resolve(ContainerNames.workspaceHash(ws) + ".placeholders")));
  }

  @Test
  void aKeptContainerKeepsThemWhileItExists() throws IOException {
    backend.create(ContainerSpec.builder().name("kept-1").image("img").ephemeral(false).build());
    enter("a");
    registry.leave("a", backend, "kept-1");
    enter("b");
    registry.leave("b", backend, null);
    assertTrue(placeholdersThere());

    backend.delete("kept-1");
    enter("c");
    registry.leave("c", backend, null);
    assertEquals(List.of(), workspaceEntries());
  }

  /**
   * A kept container deleted outside coi leaves its line behind; the next session in its slot takes
   * its name with an ephemeral container, which must not keep the placeholders for ever.
   */
  @Test
  void anEphemeralContainerUnderAKeptOnesNameDoesNotKeepThem() throws IOException {
    backend.create(ContainerSpec.builder().name("slot-1").image("img").ephemeral(false).build());
    enter("a");
    registry.leave("a", backend, "slot-1");
    backend.delete("slot-1");

    backend.create(ContainerSpec.builder().name("slot-1").image("img").ephemeral(true).build());
    enter("b");
    registry.leave("b", backend, null);

    assertEquals(List.of(), workspaceEntries());
  }

  @Test
  void aSessionWhoseProcessIsGoneNoLongerCounts() throws IOException {
    enter("a");
    Path file =
        sessions.resolve(".locks").resolve(ContainerNames.workspaceHash(ws) + ".placeholders");
    String self = Owners.describeThisProcess().strip();
    String dead = self.substring(0, self.indexOf(' ')) + " 2147483646 1970-01-01T00:00:00Z";
    Files.writeString(file, Files.readString(file).replace(self, dead));

    enter("b");
    registry.leave("b", backend, null);

    assertEquals(List.of(), workspaceEntries());
  }
}
