package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.coi.api.InvalidSpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdDelegationTest {
  @TempDir Path dir;

  private IdDelegation delegation(String subuid, String subgid) throws IOException {
    return new IdDelegation(
        Files.writeString(dir.resolve("subuid"), subuid),
        Files.writeString(dir.resolve("subgid"), subgid));
  }

  @Test
  void anIdInsideOneOfRootsRangesIsMappableAndOneOutsideIsNot() throws IOException {
    IdDelegation d =
        delegation(
            "claude:100000:65536\nroot:1000000:1000000000\nroot:1000:1\n",
            "0:1000:1\nroot:1000000:10\n");

    assertDoesNotThrow(() -> d.check(Path.of("/ws"), new Workspaces.Owner(1000, 1000)));
    assertDoesNotThrow(() -> d.check(Path.of("/ws"), new Workspaces.Owner(1000005, 1000005)));
    // Just past each range, and a range of a user other than root: refused.
    assertThrows(
        InvalidSpecException.class,
        () -> d.check(Path.of("/ws"), new Workspaces.Owner(1001, 1000)));
    assertThrows(
        InvalidSpecException.class,
        () -> d.check(Path.of("/ws"), new Workspaces.Owner(1000005, 1000010)));
    assertThrows(
        InvalidSpecException.class,
        () -> d.check(Path.of("/ws"), new Workspaces.Owner(100001, 1000)));
  }

  @Test
  void anUndelegatedOwnerIsRefusedWithTheLinesToAdd() throws IOException {
    IdDelegation d = delegation("root:0:1\nbob:1234:1\n", "root:1234:1\n");

    InvalidSpecException e =
        assertThrows(
            InvalidSpecException.class,
            () -> d.check(Path.of("/src/app"), new Workspaces.Owner(1234, 1234)));
    assertEquals(
        "workspace /src/app is owned by 1234:1234, which Incus may not map into a container: add"
            + " root:1234:1 to "
            + dir.resolve("subuid")
            + ", or give the workspace to uid 1000",
        e.getMessage());
  }

  @Test
  void withoutTheFilesTheDaemonDecides() throws IOException {
    Workspaces.Owner owner = new Workspaces.Owner(4321, 4321);
    IdDelegation none = delegation("", "");
    assertThrows(InvalidSpecException.class, () -> none.check(Path.of("/ws"), owner));

    assertDoesNotThrow(() -> IdDelegation.notChecked().check(Path.of("/ws"), owner));
    assertDoesNotThrow(
        () ->
            new IdDelegation(dir.resolve("no-subuid"), dir.resolve("no-subgid"))
                .check(Path.of("/ws"), owner));
  }
}
