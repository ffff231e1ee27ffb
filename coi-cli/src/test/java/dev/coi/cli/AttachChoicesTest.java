package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.coi.api.SessionInfo;
import dev.coi.api.SessionState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Which running sessions {@code coi attach} chooses from, by its options. */
class AttachChoicesTest {
  @TempDir Path here;
  @TempDir Path elsewhere;

  private static SessionInfo session(String name, Path workspace, int slot, SessionState state)
      throws Exception {
    return SessionInfo.builder()
        .id("id-" + name)
        .container(name)
        .workspace(workspace.toRealPath())
        .slot(slot)
        .persistent(false)
        .state(state)
        .created(Instant.EPOCH)
        .build();
  }

  private List<String> choices(String... args) throws Exception {
    CommandLine cli = Coi.commandLine();
    List<String> all = new java.util.ArrayList<>(List.of("attach"));
    all.addAll(List.of(args));
    cli.parseArgs(all.toArray(String[]::new));
    GlobalOptions options = ((Coi) cli.getCommand()).global;
    List<SessionInfo> sessions =
        List.of(
            session("a-1", here, 1, SessionState.RUNNING),
            session("a-2", here, 2, SessionState.RUNNING),
            session("a-3", here, 3, SessionState.STOPPED),
            session("b-1", elsewhere, 1, SessionState.RUNNING),
            session("c-1", elsewhere, 4, SessionState.SAVED));
    return AttachCommand.choices(sessions, options).stream().map(SessionInfo::container).toList();
  }

  @Test
  void withoutOptionsEveryRunningSessionIsAChoice() throws Exception {
    assertEquals(List.of("a-1", "a-2", "b-1"), choices());
  }

  @Test
  void aWorkspaceKeepsItsOwnRunningSessions() throws Exception {
    assertEquals(List.of("a-1", "a-2"), choices("-w", here.toString()));
  }

  @Test
  void aSlotAloneMeansThatSlotOfTheWorkspaceGiven() throws Exception {
    assertEquals(List.of("a-2"), choices("-w", here.toString(), "--slot", "2"));
    assertEquals(List.of(), choices("-w", here.toString(), "--slot", "3"));
  }

  @Test
  void aLinkToTheWorkspaceIsTheWorkspace() throws Exception {
    Path link = Files.createSymbolicLink(elsewhere.resolve("link"), here);
    assertEquals(List.of("a-1", "a-2"), choices("-w", link.toString()));
  }
}
