package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.ExecResult;
import dev.coi.api.InvalidSpecException;
import dev.coi.api.Session;
import dev.coi.tck.LiveBackendTestBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files the agent writes in the workspace belong to the workspace's owner on the host: uid 1000
 * through a shifted mount, any other owner through {@code raw.idmap} onto the agent user (uid 1000
 * inside).
 */
class WorkspaceOwnerIT extends LiveBackendTestBase {
  @TempDir Path home;

  private Session start() {
    return LiveSessions.start(backend, home, workspace, "coi-test-min");
  }

  private void giveWorkspaceTo(int uid) throws IOException {
    Files.setAttribute(workspace, "unix:uid", uid);
    Files.setAttribute(workspace, "unix:gid", uid);
  }

  private int hostOwner(String file) throws IOException {
    return (Integer)
        Files.getAttribute(workspace.resolve(file), "unix:uid", LinkOption.NOFOLLOW_LINKS);
  }

  private int hostGroup(String file) throws IOException {
    return (Integer)
        Files.getAttribute(workspace.resolve(file), "unix:gid", LinkOption.NOFOLLOW_LINKS);
  }

  /** Incus maps a host id into a container only when it is delegated to root (newuidmap). */
  private static boolean delegatedToRoot(int id) throws IOException {
    String line = "root:" + id + ":1";
    return Files.readAllLines(Path.of("/etc/subuid")).contains(line)
        && Files.readAllLines(Path.of("/etc/subgid")).contains(line);
  }

  private void agentWritesAsTheOwner(int owner) throws IOException {
    giveWorkspaceTo(owner);
    try (Session s = start()) {
      assertEquals(ExecResult.of(0, "1000\n", ""), s.run("id", "-u"));
      assertEquals(0, s.run("touch", "/workspace/x").exitCode());
    }
    assertEquals(owner, hostOwner("x"));
    assertEquals(owner, hostGroup("x"));
  }

  @Test
  void aWorkspaceOfUid1000IsShiftedAndTheAgentsFilesAreOwnedBy1000() throws IOException {
    agentWritesAsTheOwner(1000);
  }

  @Test
  void aWorkspaceOfRootIsMappedOntoTheAgentUser() throws IOException {
    agentWritesAsTheOwner(0);
  }

  @Test
  void aWorkspaceOfAnotherUserIsMappedOntoTheAgentUserWhenIncusMayMapIt() throws IOException {
    if (delegatedToRoot(1234)) {
      agentWritesAsTheOwner(1234);
      return;
    }
    // This host delegates only 0 and 1000 (setup-host.sh): say how to fix it, create nothing.
    giveWorkspaceTo(1234);
    InvalidSpecException e = assertThrows(InvalidSpecException.class, this::start);
    assertTrue(e.getMessage().contains("is owned by 1234:1234"), e.getMessage());
    assertTrue(e.getMessage().contains("add root:1234:1 to /etc/subuid"), e.getMessage());
    assertEquals(List.of(), containersOf(workspace.toRealPath()));
  }
}
