package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.CoiException;
import dev.coi.api.ExecResult;
import dev.coi.api.Session;
import dev.coi.tck.HostSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent plays hostile from inside a real container: it plants links in its state directory and
 * swaps directories for links to host directories while coi saves, deletes, pulls and pushes. After
 * each attack the host is checked: the planted targets' hashes, modes and owners are unchanged, and
 * nothing appeared outside the workspace and {@code sessions_dir}.
 */
class SecurityIT extends LiveSessionTestBase {
  private Path sessionsDir;
  private Path victims;
  private DefaultSessionEngine engine;
  private Map<String, String> homeBefore;

  @BeforeEach
  void hostWithFilesWorthStealing() throws IOException {
    sessionsDir = home.resolve(".claude-on-incus/sessions");
    Path hostClaude = HostClaude.credentials(home, "{\"token\":\"host-token\"}");
    Files.writeString(hostClaude.resolve("settings.json"), "{\"model\":\"opus\"}");
    victims = Files.createDirectories(home.resolve("victims"));
    Files.writeString(victims.resolve(".bashrc"), "echo host bashrc\n");
    Files.writeString(victims.resolve("id_rsa"), "host private key\n");
    Files.setPosixFilePermissions(
        victims.resolve("id_rsa"), PosixFilePermissions.fromString("rw-------"));
    Files.createDirectories(victims.resolve("dir/inner"));
    Files.writeString(victims.resolve("dir/inner/keep"), "keep\n");
    homeBefore = snapshot(home);
    engine = engineWith(SessionStores::discover);
  }

  /** Starts a loop in the container that outlives the exec, and checks that it runs. */
  private static void background(Session s, String loop) {
    out(s, "echo '" + loop + "' > /tmp/agent-loop.sh");
    out(
        s,
        "setsid nohup bash /tmp/agent-loop.sh </dev/null >/dev/null 2>&1 & echo $! > /tmp/agent-loop.pid");
    assertTrue(loopRuns(s), "the agent's loop runs");
  }

  private static boolean loopRuns(Session s) {
    return s.run("bash", "-c", "kill -0 $(cat /tmp/agent-loop.pid)").exitCode() == 0;
  }

  /**
   * The host outside sessions_dir and the workspace (the planted targets among it) is as it was.
   */
  private void assertHostUntouched() throws IOException {
    assertEquals(homeBefore, snapshot(home), "a host file outside sessions_dir changed");
  }

  /** Every path under {@code root} but sessions_dir, with type, mode, owner and a content hash. */
  private Map<String, String> snapshot(Path root) throws IOException {
    return HostSnapshot.of(root, p -> p.startsWith(home.resolve(".claude-on-incus")));
  }

  /** (a) Links left as settings.json and .credentials.json: saved, restored, seeded over. */
  @Test
  void seedingAResumedSessionNeverWritesThroughPlantedLinks() throws IOException {
    String id;
    try (Session s = engine.start(spec().build())) {
      id = s.id();
      // From the live state directory <sessions>/.live/<id>/claude, five levels up is the home.
      out(
          s,
          "cd ~/.claude && rm -f settings.json .credentials.json"
              + " && ln -s ../../../../../victims/.bashrc settings.json"
              + " && ln -s "
              + victims.resolve("id_rsa")
              + " .credentials.json"
              + " && mkdir -p sub && ln -s "
              + victims
              + " sub/victims && echo mine > note");
    }
    Path saved = sessionsDir.resolve(id).resolve("claude");
    assertTrue(Files.isSymbolicLink(saved.resolve("settings.json")), "links are kept as links");
    assertHostUntouched();

    try (Session resumed = engine.start(spec().resume(id).build())) {
      assertEquals("mine\n", out(resumed, "cat ~/.claude/note"));
      String settings = out(resumed, "cat ~/.claude/settings.json");
      assertTrue(settings.contains("bypassPermissions"), settings);
      assertEquals("file\n", out(resumed, "stat -c %F ~/.claude/settings.json | cut -d' ' -f2"));
      assertEquals(
          "regular file 600\n", out(resumed, "stat -c '%F %a' ~/.claude/.credentials.json"));
    }
    assertHostUntouched();
  }

  /** (b) A directory of the state tree swapped for a link to a host directory, in a loop. */
  @Test
  void swapsDuringSaveAndDeleteNeverReachTheHost() throws IOException {
    for (int round = 0; round < 3; round++) {
      try (Session s = engine.start(spec().build())) {
        out(
            s,
            "cd ~/.claude && mkdir -p d && for i in $(seq 1 300); do mkdir -p d/$i; echo x >"
                + " d/$i/f; done");
        background(
            s,
            "cd ~/.claude; while :; do mv d d.aside; ln -s "
                + victims
                + " d; rm d; mv d.aside d; done");
      } catch (CoiException refused) {
        // A save that met a swapped directory fails rather than follow it: acceptable here.
      }
      assertHostUntouched();
    }
    assertTrue(Files.exists(victims.resolve("dir/inner/keep")));
  }

  /** (c) A pull into the workspace and a push from it while the container swaps components. */
  @Test
  void pullAndPushWhileComponentsAreSwappedForLinks() throws IOException {
    Path source = Files.createDirectories(workspace.resolve("src/sub"));
    Files.writeString(source.resolve("file"), "workspace file\n");
    try (Session s = engine.start(spec().build())) {
      out(s, "mkdir -p /tmp/tree/a && echo pulled > /tmp/tree/a/f && mkdir -p /workspace/in");
      background(
          s,
          "cd /workspace; while :; do mv in in.aside; ln -s "
              + victims
              + " in; rm in; mv in.aside in; mv src/sub src/sub.aside; ln -s "
              + victims
              + " src/sub; rm src/sub; mv src/sub.aside src/sub; done");
      int pulled = 0;
      int pushed = 0;
      for (int i = 0; i < 40; i++) {
        try {
          s.pull("/tmp/tree", workspace.resolve("in/out" + i));
          pulled++;
        } catch (CoiException refused) {
          // "in" was a link at that moment: refused, never followed.
        }
        try {
          s.push(workspace.resolve("src"), "/tmp/pushed" + i);
          ExecResult leaked = s.run("grep", "-r", "host private key", "/tmp/pushed" + i);
          assertEquals(1, leaked.exitCode(), "a host file was pushed: " + leaked.stdout());
          pushed++;
        } catch (CoiException refused) {
          // "src/sub" was a link at that moment.
        }
      }
      System.out.println("pulls that went through: " + pulled + " of 40, pushes " + pushed);
      assertTrue(loopRuns(s), "the loop ran throughout");
    }
    assertHostUntouched();
    try (Stream<Path> inVictims = Files.walk(victims)) {
      assertFalse(
          inVictims.anyMatch(p -> p.getFileName().toString().startsWith("out")),
          "a pull wrote into the host directory");
    }
  }

  /** (d) Everything coi creates under sessions_dir is 0700 (directories) or 0600 (files). */
  @Test
  void everythingUnderSessionsDirIsPrivate() throws IOException {
    String id;
    try (Session s = engine.start(spec().build())) {
      id = s.id();
      out(s, "echo mine > ~/.claude/note");
      assertPrivate(sessionsDir);
    }
    assertTrue(store.find(id).isPresent());
    assertPrivate(sessionsDir);
  }

  /** Directories 0700 and files 0600, but what the agent made inside its own tree (its modes). */
  private static void assertPrivate(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Path rel = root.relativize(p);
        boolean agents = false;
        for (int i = 0; i < rel.getNameCount() - 1; i++) {
          agents |= rel.getName(i).toString().equals("claude");
        }
        if (agents || Files.isSymbolicLink(p)) {
          continue;
        }
        String mode =
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
        String expected = Files.isDirectory(p) ? "rwx------" : "rw-------";
        assertEquals(expected, mode, p.toString());
      }
    }
  }
}
