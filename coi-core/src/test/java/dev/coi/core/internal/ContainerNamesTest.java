package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ContainerNamesTest {

  @Test
  void nameIsPrefixThenEightHexOfTheWorkspaceSha256ThenSlot() {
    // sha256("/home/user/project") starts with 9dad1e4e (printf %s /home/user/project | sha256sum).
    assertEquals(
        "claude-9dad1e4e-1", ContainerNames.of("claude-", Path.of("/home/user/project"), 1));
    assertEquals(
        "coi-test-9dad1e4e-10", ContainerNames.of("coi-test-", Path.of("/home/user/project"), 10));
  }

  @Test
  void differentWorkspacesGetDifferentNames() {
    assertNotEquals(
        ContainerNames.workspaceHash(Path.of("/a")), ContainerNames.workspaceHash(Path.of("/b")));
  }

  @Test
  void slotsStartAtOne() {
    assertThrows(IllegalArgumentException.class, () -> ContainerNames.of("c-", Path.of("/a"), 0));
  }
}
