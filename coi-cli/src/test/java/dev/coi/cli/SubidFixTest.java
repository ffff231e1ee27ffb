package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.CoiException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubidFixTest {
  @TempDir Path etc;

  private SubidFix fix() {
    return new SubidFix(Map.of(SubidFix.TEST_DIRECTORY, etc.toString()));
  }

  @Test
  void anIdInsideARootRangeNeedsNoLineAndAnUnendedLastLineIsEndedFirst() throws IOException {
    Files.writeString(etc.resolve("subuid"), "root:1000000:65536\nbob:5000:10\nroot:4000:10");
    Files.writeString(etc.resolve("subgid"), "0:4000:10\n");
    List<String> done = fix().apply(Set.of(1000001L, 4009L, 5000L), Set.of(4005L));
    assertEquals(List.of("added root:5000:1 to " + etc.resolve("subuid")), done);
    assertEquals(
        "root:1000000:65536\nbob:5000:10\nroot:4000:10\nroot:5000:1\n",
        Files.readString(etc.resolve("subuid")));
    assertEquals("0:4000:10\n", Files.readString(etc.resolve("subgid")));
  }

  @Test
  void missingFilesAreCreated() throws IOException {
    assertEquals(2, fix().apply(Set.of(4242L), Set.of(4243L)).size());
    assertEquals("root:4242:1\n", Files.readString(etc.resolve("subuid")));
    assertEquals("root:4243:1\n", Files.readString(etc.resolve("subgid")));
  }

  @Test
  void aLinkInPlaceOfTheFileIsRefused() throws IOException {
    Path elsewhere = Files.writeString(etc.resolve("elsewhere"), "x:1:1\n");
    Files.createSymbolicLink(etc.resolve("subuid"), elsewhere);
    CoiException e =
        assertThrows(CoiException.class, () -> fix().apply(Set.of(4242L), Set.of(4242L)));
    assertTrue(e.getMessage().contains("is not a plain file"), e.getMessage());
    assertEquals("x:1:1\n", Files.readString(elsewhere));
    assertTrue(Files.notExists(etc.resolve("subgid")), "subgid written although subuid refused");
  }

  @Test
  void theSudoUserComesFirstAndRootAndTheAgentNeedNothing() {
    assertEquals(
        List.of(4343L, 4242L),
        List.copyOf(SubidFix.uids(Map.of("SUDO_UID", "4343", "SUDO_GID", "7"), 4242)));
    assertEquals(List.of(7L, 4242L), List.copyOf(SubidFix.gids(Map.of("SUDO_GID", "7"), 4242)));
    assertEquals(List.of(4343L), List.copyOf(SubidFix.gids(Map.of("SUDO_UID", "4343"), 0)));
    assertEquals(List.of(), List.copyOf(SubidFix.uids(Map.of("SUDO_UID", "1000"), 0)));
    CoiException e =
        assertThrows(CoiException.class, () -> SubidFix.uids(Map.of("SUDO_UID", "-1"), 0));
    assertTrue(e.getMessage().startsWith("SUDO_UID is '-1', not a user id"), e.getMessage());
  }
}
