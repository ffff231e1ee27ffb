package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.InvalidSpecException;
import dev.coi.api.Mount;
import dev.coi.tck.HostSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scan of a workspace for its repositories ({@link WorkspaceScan}) with links planted where a
 * file or directory is expected, before the scan and swapped in during it (through the scan's hook,
 * just before the read it is about): nothing outside the workspace is read, followed or changed.
 * The outside holds a repository whose config names hooks to protect, so that a scan that read it
 * would show it in the mounts.
 */
class WorkspaceScanLinksTest {
  @TempDir Path dir;
  private Path ws;
  private Path outside;
  private Map<String, String> outsideBefore;
  private final List<String> reads = new ArrayList<>();

  @BeforeEach
  void plant() throws IOException {
    ws = Files.createDirectory(dir.resolve("ws")).toRealPath();
    outside = Files.createDirectory(dir.resolve("outside")).toRealPath();
    Files.createDirectories(outside.resolve(".git/modules/m"));
    Files.writeString(outside.resolve(".git/modules/m/HEAD"), "ref: refs/heads/main\n");
    Files.writeString(outside.resolve(".git/config"), "[core]\n\thooksPath = chosen-outside\n");
    Files.writeString(outside.resolve("config"), "[core]\n\thooksPath = chosen-outside\n");
    Files.writeString(outside.resolve("dotgit"), "gitdir: " + ws.resolve("chosen-outside") + "\n");
    outsideBefore = HostSnapshot.of(outside);
  }

  private ProtectedPaths.Plan plan(WorkspaceScan.Hook hook) {
    return ProtectedPaths.plan(
        ws, "/workspace", List.of(".git/hooks/", ".envrc"), Workspaces.owner(ws), hook);
  }

  /** A hook that swaps {@code name} (relative to the workspace) for a link to {@code target}. */
  private WorkspaceScan.Hook swapOnRead(String when, String name, Path target) {
    return relative -> {
      reads.add(relative);
      if (relative.equals(when)) {
        try {
          Path swapped = ws.resolve(name);
          Files.move(swapped, ws.resolve(name + ".moved"));
          Files.createSymbolicLink(swapped, target);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  private List<String> targets(ProtectedPaths.Plan plan) {
    return plan.mounts().stream().map(Mount::target).toList();
  }

  private void assertOutsideUntouched() throws IOException {
    assertEquals(outsideBefore, HostSnapshot.of(outside), "the outside was changed");
    assertTrue(Files.notExists(outside.resolve(".git/hooks")), "a placeholder made outside");
  }

  @Test
  void aConfigSwappedForALinkJustBeforeItIsReadIsNotFollowed() throws IOException {
    Files.createDirectories(ws.resolve(".git"));
    Files.writeString(ws.resolve(".git/config"), "[core]\n\tbare = false\n");

    ProtectedPaths.Plan plan =
        plan(swapOnRead(".git/config", ".git/config", outside.resolve("config")));

    assertTrue(reads.contains(".git/config"), "the swap happened: " + reads);
    assertTrue(
        targets(plan).stream().noneMatch(t -> t.contains("chosen-outside")),
        targets(plan).toString());
    assertTrue(Files.notExists(ws.resolve("chosen-outside")));
    assertOutsideUntouched();
  }

  @Test
  void aDirectorySwappedForALinkJustBeforeItIsListedIsNotFollowed() throws IOException {
    Files.createDirectories(ws.resolve("sub"));

    ProtectedPaths.Plan plan = plan(swapOnRead("sub", "sub", outside));

    assertTrue(reads.contains("sub"), "the swap happened: " + reads);
    // The outside's .git would have made sub a nested repository with its own protected hooks.
    assertTrue(
        targets(plan).stream().noneMatch(t -> t.startsWith("/workspace/sub")),
        targets(plan).toString());
    assertOutsideUntouched();
  }

  @Test
  void aGitDirectorySwappedForALinkMidScanIsRefusedAndNothingOutsideIsMade() throws IOException {
    Files.createDirectories(ws.resolve(".git/modules"));

    InvalidSpecException e =
        assertThrows(
            InvalidSpecException.class,
            () -> plan(swapOnRead(".git/modules", ".git", outside.resolve(".git"))));

    assertTrue(e.getMessage().contains(".git"), e.getMessage());
    assertTrue(Files.notExists(ws.resolve(".envrc")), "a placeholder left behind");
    assertOutsideUntouched();
  }

  @Test
  void aDotGitFileThatIsALinkIsNeitherReadNorFollowed() throws IOException {
    Files.createSymbolicLink(ws.resolve(".git"), outside.resolve("dotgit"));

    assertThrows(InvalidSpecException.class, () -> plan(WorkspaceScan.Hook.NONE));

    assertTrue(Files.notExists(ws.resolve("chosen-outside")));
    assertOutsideUntouched();
  }

  @Test
  void aNestedDirectoryThatIsALinkIsNotScanned() throws IOException {
    Files.createSymbolicLink(ws.resolve("lib"), outside);

    ProtectedPaths.Plan plan = plan(WorkspaceScan.Hook.NONE);

    assertTrue(
        targets(plan).stream().noneMatch(t -> t.startsWith("/workspace/lib")),
        targets(plan).toString());
    assertTrue(targets(plan).contains("/workspace/.git"), targets(plan).toString());
    assertOutsideUntouched();
    ProtectedPaths.removePlaceholders(plan.placeholders());
  }
}
