package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.ExecResult;
import dev.coi.api.Session;
import dev.coi.api.SessionSpec;
import dev.coi.api.Sessions;
import dev.coi.core.config.ConfigLoader;
import dev.coi.incus.IncusClient;
import dev.coi.tck.InMemorySessionStore;
import dev.coi.tck.LiveBackendTestBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Privileged sessions on the real daemon: the coi-privileged image gives the agent user sudo, gh
 * and ssh and the host user's git identity, while the container stays unprivileged; a plain session
 * has none of it. The engine gets a home of the test's own, whose ~/.gitconfig it reads.
 */
class PrivilegedSessionIT extends LiveBackendTestBase {
  @TempDir Path home;
  private DefaultSessionEngine engine;

  @BeforeEach
  void engineWithItsOwnHome() {
    engine =
        new DefaultSessionEngine(
            Backends::discover,
            // No file store yet on this class path; the in-memory one keeps what a session saves.
            settings -> new InMemorySessionStore(),
            ConfigLoader.builder().home(home).environment(Map.of("TERM", "xterm")).build(),
            Clock.systemUTC());
  }

  private SessionSpec.Builder spec() {
    return Sessions.builder().workspace(workspace).containerPrefix(TEST_PREFIX);
  }

  @Test
  void aPrivilegedSessionMaySudoRunsGhAndSshAndCommitsAsTheHostUser() throws IOException {
    Files.writeString(
        home.resolve(".gitconfig"),
        "[user]\n\tname = Jane Doe\n\temail = jane@example.com\n[credential]\n\thelper = store\n");
    try (Session s = engine.start(spec().privileged().build())) {
      assertEquals(0, s.run("sudo", "-n", "true").exitCode(), "claude may sudo");
      assertEquals("0\n", s.run("sudo", "-n", "id", "-u").stdout());
      ExecResult gh = s.run("gh", "--version");
      assertTrue(gh.stdout().startsWith("gh version "), gh.stdout() + gh.stderr());
      ExecResult ssh = s.run("ssh", "-V");
      assertTrue((ssh.stdout() + ssh.stderr()).contains("OpenSSH"), ssh.toString());

      ExecResult commit =
          s.run(
              "sh",
              "-c",
              "cd /tmp && git init -q repo && cd repo && git commit -q --allow-empty -m first"
                  + " && git log -1 --format='%an <%ae>' && git config --global --list");
      assertEquals(0, commit.exitCode(), commit.stderr());
      assertEquals(
          "Jane Doe <jane@example.com>\nuser.name=Jane Doe\nuser.email=jane@example.com\n",
          commit.stdout(),
          "only the identity is copied in");

      try (IncusClient incus = IncusClient.local()) {
        Map<String, String> config = incus.instances().get(s.name()).config();
        // Image properties are copied to the instance as image.*: coi.image names the image.
        assertEquals("coi-privileged", config.get("image.coi.image"), config.toString());
        assertTrue(!config.containsKey("security.privileged"), config.toString());
      }
      // Container root is an unprivileged host uid, not host root.
      String rootMap = s.run("cat", "/proc/self/uid_map").stdout().strip().split("\\s+")[1];
      assertNotEquals("0", rootMap);
    }
  }

  @Test
  void aPlainSessionHasNoSudoAndNoGitIdentity() {
    try (Session s = engine.start(spec().build())) {
      ExecResult sudo = s.run("sudo", "-n", "true");
      assertNotEquals(0, sudo.exitCode(), "claude must not sudo in coi-sandbox");
      assertEquals(1, s.run("test", "-e", "/home/claude/.gitconfig").exitCode());
    }
  }
}
