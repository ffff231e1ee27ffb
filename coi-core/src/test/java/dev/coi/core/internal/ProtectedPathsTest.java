package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.InvalidSpecException;
import dev.coi.api.Mount;
import dev.coi.core.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProtectedPathsTest {
  @TempDir Path dir;
  private Path ws;
  private Workspaces.Owner owner;
  private List<String> defaults;

  @BeforeEach
  void workspace() throws IOException {
    ws = Files.createDirectory(dir.resolve("ws")).toRealPath();
    owner = Workspaces.owner(ws);
    defaults =
        ConfigLoader.builder()
            .home(dir)
            .environment(Map.of())
            .build()
            .load(ws)
            .security()
            .allProtectedPaths();
  }

  private ProtectedPaths.Plan plan(List<String> entries) {
    return ProtectedPaths.plan(ws, "/workspace", entries, owner);
  }

  /** Each mount's target, with "ro" or "rw", and its source relative to the workspace. */
  private static Map<String, String> byTarget(ProtectedPaths.Plan plan, Path ws) {
    Map<String, String> mounts = new TreeMap<>();
    for (Mount m : plan.mounts()) {
      assertEquals("/workspace/" + ws.relativize(m.source()), m.target(), "mounted over itself");
      mounts.put(m.target(), m.readOnly() ? "ro" : "rw");
    }
    return mounts;
  }

  /** Each of {@code paths} (relative to the workspace) is mounted with {@code mode}. */
  private static void assertMounted(Map<String, String> mounts, String mode, String... paths) {
    for (String path : paths) {
      assertEquals(mode, mounts.get("/workspace/" + path), path);
    }
  }

  private List<String> tree() throws IOException {
    try (Stream<Path> all = Files.walk(ws)) {
      return all.map(p -> ws.relativize(p).toString()).sorted().toList();
    }
  }

  @Test
  void missingPathsGetPlaceholdersThatAreGoneAfterwards() throws IOException {
    ProtectedPaths.Plan plan = plan(defaults);

    // A missing directory on the way covers what is below it: one read-only placeholder.
    assertEquals(
        Map.of(
            "/workspace/.envrc", "ro",
            "/workspace/.vscode", "ro",
            "/workspace/.husky", "ro",
            "/workspace/.idea", "ro",
            "/workspace/.git", "ro",
            "/workspace/.claude", "ro",
            "/workspace/.claude-on-incus.toml", "ro"),
        byTarget(plan, ws));
    assertTrue(Files.isDirectory(ws.resolve(".vscode")));
    assertTrue(Files.isDirectory(ws.resolve(".claude")));
    assertTrue(Files.isRegularFile(ws.resolve(".envrc")));

    ProtectedPaths.removePlaceholders(plan.placeholders());
    assertEquals(List.of(""), tree());
  }

  @Test
  void aMissingPathInAnExistingDirectoryIsAPlaceholderAndTheDirectoriesOnTheWayArePinned()
      throws IOException {
    Files.createDirectories(ws.resolve(".git/info"));
    Files.createDirectories(ws.resolve(".claude"));

    ProtectedPaths.Plan plan = plan(defaults);

    Map<String, String> mounts = byTarget(plan, ws);
    assertMounted(
        mounts, "ro", ".git/hooks", ".git/config", ".git/info/attributes", ".claude/settings.json");
    // The directories on the way are mount points too, so that the agent cannot rename them.
    assertMounted(mounts, "rw", ".git", ".git/info", ".claude");
    assertEquals("{}\n", Files.readString(ws.resolve(".claude/settings.json")));
    ProtectedPaths.removePlaceholders(plan.placeholders());
    assertEquals(List.of("", ".claude", ".git", ".git/info"), tree());
  }

  @Test
  void existingPathsAreMountedOverThemselvesAndKeptAfterwards() throws IOException {
    Files.createDirectories(ws.resolve(".git/hooks"));
    Files.writeString(ws.resolve(".git/config"), "[core]\n");
    Files.writeString(ws.resolve(".git/hooks/pre-commit"), "#!/bin/sh\n");
    Files.writeString(ws.resolve(".envrc"), "");

    ProtectedPaths.Plan plan = plan(List.of(".git/hooks/", ".git/config", ".envrc"));

    assertEquals(
        Map.of(
            "/workspace/.git", "rw",
            "/workspace/.git/hooks", "ro",
            "/workspace/.git/config", "ro",
            "/workspace/.envrc", "ro"),
        byTarget(plan, ws));
    assertEquals(List.of(), plan.placeholders());
    ProtectedPaths.removePlaceholders(plan.placeholders());
    assertEquals("", Files.readString(ws.resolve(".envrc")));
  }

  @Test
  void aPlaceholderDirectoryTheAgentFilledStays() throws IOException {
    ProtectedPaths.Plan plan = plan(List.of(".claude/settings.json"));
    Files.writeString(ws.resolve(".claude/notes.md"), "mine");

    ProtectedPaths.removePlaceholders(plan.placeholders());

    assertEquals(List.of("", ".claude", ".claude/notes.md"), tree());
  }

  @Test
  void nestedRepositoriesSubmodulesAndWorktreesAreProtectedToo() throws IOException {
    Files.createDirectories(ws.resolve(".git/hooks"));
    Files.writeString(ws.resolve(".git/config"), "");
    Files.createDirectories(ws.resolve("libs/inner/.git/hooks"));
    Files.createDirectories(ws.resolve(".git/modules/vendor/tool"));
    Files.writeString(ws.resolve(".git/modules/vendor/tool/HEAD"), "ref: refs/heads/main\n");
    Files.createDirectories(ws.resolve(".git/worktrees/feature"));
    Files.createDirectories(ws.resolve("checkouts/feature"));
    Files.writeString(
        ws.resolve("checkouts/feature/.git"), "gitdir: ../../.git/worktrees/feature\n");
    Files.createDirectories(ws.resolve("a/b/c/d/e/deep/.git"));

    Map<String, String> mounts = byTarget(plan(List.of(".git/hooks/", ".git/config")), ws);

    assertMounted(mounts, "ro", "libs/inner/.git/hooks", "libs/inner/.git/config");
    assertEquals("rw", mounts.get("/workspace/libs/inner/.git"));
    assertMounted(
        mounts,
        "ro",
        ".git/modules/vendor/tool/hooks",
        ".git/modules/vendor/tool/config",
        ".git/worktrees/feature/config.worktree",
        "checkouts/feature/.git");
    // Deeper than the scan looks: not found, and nothing made there.
    assertFalse(mounts.containsKey("/workspace/a/b/c/d/e/deep/.git/config"));
    assertFalse(Files.exists(ws.resolve("a/b/c/d/e/deep/.git/config")));
  }

  @Test
  void theHookDirectoriesAConfigNamesAreProtectedToo() throws IOException {
    Files.createDirectories(ws.resolve("tools/githooks"));
    Files.createDirectories(ws.resolve(".git"));
    Files.writeString(ws.resolve(".git/config"), "[core]\n\thooksPath = tools/githooks\n");
    Files.createDirectories(ws.resolve("sub/.git"));
    Files.writeString(
        ws.resolve("sub/.git/config"),
        "[core]\n  HooksPath = \"" + ws.resolve("other/hooks") + "\" ; mine\n");
    Files.createDirectories(ws.resolve("third/.git"));
    Files.writeString(ws.resolve("third/.git/config"), "[core]\nhooksPath = /etc/hooks\n");

    Map<String, String> mounts = byTarget(plan(List.of(".git/config")), ws);

    assertEquals("ro", mounts.get("/workspace/tools/githooks"));
    assertEquals("rw", mounts.get("/workspace/tools"));
    assertEquals("ro", mounts.get("/workspace/other"), "the missing directory on the way");
    assertTrue(Files.isDirectory(ws.resolve("other")), "a placeholder while it runs");
    assertFalse(mounts.keySet().stream().anyMatch(t -> t.contains("etc")), mounts.toString());
  }

  @Test
  void aLinkIsRefusedAndNothingIsLeftBehind() throws IOException {
    Files.createSymbolicLink(ws.resolve(".claude"), dir);
    List<String> before = tree();

    InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> plan(defaults));

    assertTrue(e.getMessage().contains("protected path .claude "), e.getMessage());
    assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    assertEquals(before, tree());
    assertEquals(List.of("ws"), Files.list(dir).map(p -> p.getFileName().toString()).toList());
  }

  @Test
  void aPathOutsideTheWorkspaceIsRefused() {
    for (String bad : List.of("../x", "/etc/passwd", "a/../../x", " ")) {
      InvalidSpecException e =
          assertThrows(InvalidSpecException.class, () -> plan(List.of(bad)), bad);
      assertTrue(e.getMessage().contains("protected_paths"), e.getMessage());
    }
  }

  @Test
  void aPathBelowAnotherProtectedOneIsCoveredByIt() throws IOException {
    Files.createDirectories(ws.resolve(".vscode"));
    assertEquals(
        Map.of("/workspace/.vscode", "ro"),
        byTarget(plan(List.of(".vscode/", ".vscode/tasks.json")), ws));
  }
}
