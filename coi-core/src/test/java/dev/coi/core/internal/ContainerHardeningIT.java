package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.ExecResult;
import dev.coi.api.Session;
import dev.coi.tck.LiveBackendTestBase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hostile agent against the host: on a root-owned workspace (uid 1000 inside is host root) it
 * tries every way to leave a setuid or setgid file, and on any workspace it tries to change what
 * programs on the host run later (git hooks and config, editor tasks, the agent's project
 * settings). The host is checked afterwards.
 */
class ContainerHardeningIT extends LiveBackendTestBase {
  private static final int SETID = 06000;

  @TempDir Path home;

  private Session start(String image) {
    return LiveSessions.start(backend, home, workspace, image);
  }

  private void giveWorkspaceTo(int uid) throws IOException {
    Files.setAttribute(workspace, "unix:uid", uid);
    Files.setAttribute(workspace, "unix:gid", uid);
  }

  private static int mode(Path path) throws IOException {
    return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
  }

  // The agent's attempts, in the tools coi-sandbox has: coreutils, node and perl (for the calls
  // no tool makes: fchmodat2, and mknod, creat and open with a mode).
  private static final String SETID_ATTEMPTS =
      String.join(
          "\n",
          "cd /workspace",
          "echo '#!/bin/sh' > prog; chmod 755 prog",
          "chmod u+s prog; echo \"u+s $?\"",
          "chmod g+s prog; echo \"g+s $?\"",
          "chmod 4755 prog; echo \"4755 $?\"",
          "install -m 4755 prog installed; echo \"install $?\"",
          "mkdir -m 2775 dir; echo \"mkdir $?\"",
          "node -e '"
              + "const fs = require(\"fs\");"
              + "for (const f of [() => fs.openSync(\"opened\", \"w\", 0o4755),"
              + "  () => fs.chmodSync(\"prog\", 0o6755), () => fs.mkdirSync(\"nodedir\", 0o2755)])"
              + "  try { f(); console.log(\"node ok\") } catch (e) { console.log(e.code) }'",
          "perl -e '"
              + "my ($p, $m, $c, $o) = (\"prog\", \"noded\", \"created\", \"open\");"
              + "print \"fchmodat2 \", syscall(452, -100, $p, 04755, 0), \"\\n\";"
              + "print \"mknod \", syscall(133, $m, 0104755, 0), \"\\n\";"
              + "print \"creat \", syscall(85, $c, 02755), \"\\n\";"
              + "print \"open \", syscall(2, $o, 0101, 04755), \"\\n\";'",
          "chmod 644 prog && echo ordinary-chmod-works",
          "tmux new-session -d -s t 'sleep 60' && tmux has-session -t t && echo tmux-works");

  @Test
  void aFileTheAgentMakesOnARootOwnedWorkspaceIsNeverSetuidOrSetgidOnTheHost() throws IOException {
    giveWorkspaceTo(0);
    ExecResult result;
    try (Session s = start("coi-sandbox")) {
      result = s.run("sh", "-c", SETID_ATTEMPTS);
    }
    String out = result.stdout();
    for (String refused : new String[] {"u+s", "g+s", "4755", "install", "mkdir"}) {
      assertTrue(out.contains(refused + " 1\n"), refused + ": " + out);
    }
    for (String call : new String[] {"fchmodat2", "mknod", "creat", "open"}) {
      assertTrue(out.contains(call + " -1\n"), call + ": " + out);
    }
    assertTrue(out.contains("ordinary-chmod-works"), out);
    assertTrue(out.contains("tmux-works"), out);
    assertEquals(3, out.split("EPERM", -1).length - 1, out);
    assertEquals(0644, mode(workspace.resolve("prog")) & 07777);
    assertEquals(0, (Integer) Files.getAttribute(workspace.resolve("prog"), "unix:uid"));
    try (Stream<Path> all = Files.walk(workspace)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        assertEquals(0, mode(p) & SETID, "setuid/setgid on the host: " + p + "\n" + out);
      }
    }
  }

  /** The workspace as the host sees it: each path's type, mode and content hash. */
  private Map<String, String> snapshot() throws IOException {
    Map<String, String> tree = new TreeMap<>();
    try (Stream<Path> all = Files.walk(workspace)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        String kind =
            Files.isSymbolicLink(p)
                ? "link " + Files.readSymbolicLink(p)
                : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                    ? "dir"
                    : "file " + sha256(Files.readAllBytes(p));
        tree.put(workspace.relativize(p).toString(), kind + " " + Integer.toOctalString(mode(p)));
      }
    }
    return tree;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void write(String relative, String content) throws IOException {
    Path file = workspace.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  // Each protected path written, appended to, replaced, removed, and each directory on the way
  // renamed so that a new one could take its place; busybox's tools are enough.
  private static final String TAMPERING =
      String.join(
          "\n",
          "cd /workspace",
          "for p in .git/hooks/pre-commit .git/hooks/post-checkout .git/config"
              + " .git/info/attributes .git/worktrees/wt/config.worktree"
              + " .git/modules/lib/hooks/pre-commit .git/modules/lib/config"
              + " sub/.git/hooks/pre-commit sub/.git/config .husky/pre-commit"
              + " .vscode/tasks.json .vscode/settings.json .idea/workspace.xml .envrc"
              + " .claude/settings.json .claude/settings.local.json .claude-on-incus.toml; do",
          "  echo evil >> $p; echo evil > $p.new; mv -f $p.new $p; rm -f $p $p.new",
          "done",
          "for d in .git .git/hooks .git/info .git/worktrees/wt .git/modules sub/.git .husky"
              + " .vscode .idea .claude; do",
          "  mv $d $d.moved && mkdir $d && echo evil > $d/config && echo moved $d",
          "done",
          "echo fine > free.txt && echo free-write-works");

  @ParameterizedTest(name = "workspace of uid {0}")
  @ValueSource(ints = {0, 1000})
  void theAgentCannotChangeWhatTheHostRunsLater(int owner) throws IOException {
    write(".git/hooks/pre-commit", "#!/bin/sh\necho mine\n");
    write(".git/config", "[core]\n\tbare = false\n[extensions]\n\tworktreeConfig = true\n");
    write(".git/HEAD", "ref: refs/heads/main\n");
    write(".git/worktrees/wt/HEAD", "ref: refs/heads/wt\n");
    write(".git/modules/lib/HEAD", "ref: refs/heads/main\n");
    write(".git/modules/lib/config", "[core]\n");
    write("sub/.git/config", "[core]\n");
    write(".vscode/tasks.json", "{}\n");
    write(".claude/settings.json", "{\"hooks\": {}}\n");
    Files.createDirectories(workspace.resolve(".git/info"));
    try (Stream<Path> all = Files.walk(workspace)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Files.setAttribute(p, "unix:uid", owner, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", owner, LinkOption.NOFOLLOW_LINKS);
      }
    }
    Map<String, String> before = snapshot();

    ExecResult result;
    try (Session s = start("coi-test-min")) {
      result = s.run("sh", "-c", TAMPERING);
    }

    assertTrue(result.stdout().contains("free-write-works"), result.toString());
    assertTrue(!result.stdout().contains("moved"), result.toString());
    Files.delete(workspace.resolve("free.txt"));
    // Unchanged, and the placeholders for what was missing are gone again.
    assertEquals(before, snapshot(), result.stderr());
    assertNotEquals("", result.stderr());
  }

  private void git(String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(List.of("git", "-c", "safe.directory=*", "-C", workspace.toString()));
    command.addAll(List.of(args));
    Process git =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectErrorStream(true)
            .start();
    String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, git.waitFor(), out);
  }

  @Test
  void theAgentStillCommitsAndBranchesInAProtectedRepository()
      throws IOException, InterruptedException {
    git("init", "-q", "-b", "main");
    git("-c", "user.name=h", "-c", "user.email=h@h", "commit", "-q", "--allow-empty", "-m", "one");
    Files.walk(workspace)
        .forEach(
            p -> {
              try {
                Files.setAttribute(p, "unix:uid", 1000, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", 1000, LinkOption.NOFOLLOW_LINKS);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    String config = Files.readString(workspace.resolve(".git/config"));

    ExecResult r;
    try (Session s = start("coi-sandbox")) {
      r =
          s.run(
              "sh",
              "-c",
              "set -e; echo x > a.txt; git add a.txt;"
                  + " git -c user.name=a -c user.email=a@a commit -q -m two;"
                  + " git switch -q -c topic; git log --oneline | wc -l;"
                  + " if git config core.fsmonitor 'touch /tmp/x'; then echo config-written; fi");
    }

    assertEquals("2\n", r.stdout(), r.stderr());
    assertEquals(config, Files.readString(workspace.resolve(".git/config")));
  }

  @Test
  void placeholdersStayWhileAnotherSessionOfTheWorkspaceRunsAndGoWithTheLast() throws IOException {
    Session first = start("coi-test-min");
    try (Session second = start("coi-test-min")) {
      first.close();
      assertTrue(Files.isRegularFile(workspace.resolve(".envrc")), "the second one mounts it");
      ExecResult r = second.run("sh", "-c", "echo evil > /workspace/.envrc");
      assertNotEquals(0, r.exitCode(), r.toString());
    } finally {
      first.close();
    }
    try (Stream<Path> left = Files.list(workspace)) {
      assertEquals(List.of(), left.toList());
    }
  }

  /**
   * A kept container deleted outside coi leaves the placeholders recorded as its own. The next
   * session in its slot takes its name with an ephemeral container and, as {@code coi run} does,
   * does not wait for that container to go: the placeholders still go when that session ends.
   */
  @Test
  void placeholdersGoWithTheLastSessionAfterAKeptContainerIsDeletedOutsideCoi() throws IOException {
    String kept;
    try (Session persistent =
        LiveSessions.start(backend, home, workspace, "coi-test-min", spec -> spec.persistent())) {
      kept = persistent.info().container();
    }
    assertTrue(Files.isRegularFile(workspace.resolve(".envrc")), "the kept one mounts it again");
    backend.delete(kept); // as `incus delete` does it: coi is not told

    try (Session next =
        LiveSessions.start(
            backend, home, workspace, "coi-test-min", spec -> spec.awaitCleanup(false))) {
      assertEquals(kept, next.info().container(), "the slot's name again");
    }
    try (Stream<Path> left = Files.list(workspace)) {
      assertEquals(List.of(), left.toList());
    }
  }
}
