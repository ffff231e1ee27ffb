package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.coi.api.ExecResult;
import dev.coi.api.Session;
import dev.coi.api.SessionSpec;
import dev.coi.api.Sessions;
import dev.coi.api.spi.SessionStore;
import dev.coi.tck.InMemorySessionStore;
import dev.coi.tck.LiveBackendTestBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a session the container holds none of the host's credentials, unless it is kept
 * (persistent) and the user asked for the host's agent configuration (mount_claude_config).
 */
class CredentialsLeftBehindIT extends LiveBackendTestBase {
  private static final String SECRET = "cred-5e1f-LEFT-BEHIND";
  private static final SessionStore STORE = new InMemorySessionStore();

  @TempDir Path home;
  private DefaultSessionEngine engine;

  @BeforeEach
  void hostWithCredentials() throws IOException {
    HostClaude.credentials(home, "{\"t\":\"" + SECRET + "\"}");
    Files.writeString(home.resolve(".claude.json"), "{\"primaryApiKey\":\"" + SECRET + "\"}");
    engine = TestEngines.on(backend, STORE, home, Clock.systemUTC());
  }

  private SessionSpec.Builder spec() {
    return Sessions.builder()
        .workspace(workspace)
        .image("coi-sandbox")
        .containerPrefix(TEST_PREFIX)
        .agentCommand(List.of("claude-stub"));
  }

  /**
   * Runs a kept container again, with the host's configuration or without it as the session that
   * left it, and counts its files that hold the secret: the agent's home (its state directory as it
   * was left), root's, the temporary directories and /etc. (Reusing it without the host's
   * configuration takes the credentials out, so the count of a session that had them is read with
   * them.)
   */
  private int filesWithTheSecretIn(String kept, boolean hostConfig) {
    try (Session again = engine.start(spec().persistent().mountClaudeConfig(hostConfig).build())) {
      assertEquals(kept, again.name(), "the kept container is reused");
      ExecResult r =
          again.run(
              "sh",
              "-c",
              "grep -rl " + SECRET + " /home /root /tmp /var/tmp /etc 2>/dev/null | wc -l");
      return Integer.parseInt(r.stdout().trim());
    } finally {
      backend.delete(kept);
    }
  }

  @Test
  void anEphemeralSessionsContainerIsGoneWithTheCredentialsItWasGiven() throws IOException {
    try (Session s = engine.start(spec().awaitCleanup(true).build())) {
      assertEquals(
          0, s.run("grep", "-q", SECRET, "/home/claude/.claude/.credentials.json").exitCode());
    }
    assertEquals(List.of(), containersOf(workspace.toRealPath()));
  }

  @Test
  void aKeptContainerWithoutTheHostsConfigurationHoldsNoCredentials() {
    String name;
    try (Session s = engine.start(spec().persistent().mountClaudeConfig(false).build())) {
      name = s.name();
    }
    assertEquals(0, filesWithTheSecretIn(name, false));
  }

  @Test
  void aKeptContainerWithTheHostsConfigurationKeepsThemAsAsked() {
    String name;
    try (Session s = engine.start(spec().persistent().build())) {
      name = s.name();
    }
    // ~/.claude.json in the container, ~/.claude/.credentials.json in its state directory.
    assertEquals(2, filesWithTheSecretIn(name, true));
  }
}
