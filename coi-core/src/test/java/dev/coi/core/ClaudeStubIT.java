package dev.coi.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.ExecResult;
import dev.coi.api.Session;
import dev.coi.api.Sessions;
import dev.coi.tck.LiveBackendTestBase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The agent stand-in as later work relies on it: on the host (its own script test) and inside the
 * default image, where it keeps its state under ~/.claude of the agent user.
 */
class ClaudeStubIT extends LiveBackendTestBase {
  private static final Path IMAGES = Path.of("..", "images").toAbsolutePath().normalize();

  @Test
  void itsOwnTestsPassOnTheHost() throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("bash", IMAGES.resolve("stub/test-claude-stub.sh").toString())
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(2, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), output);
    assertTrue(output.contains(" passed, 0 failed"), output);
  }

  @Test
  void inTheSandboxImageItKeepsAndResumesItsTranscriptUnderTheAgentsHome() throws IOException {
    try (Session s =
        Sessions.builder()
            .workspace(workspace)
            .image("coi-sandbox")
            .containerPrefix(TEST_PREFIX)
            .start()) {
      assertTrue(s.run("claude-stub", "--version").stdout().startsWith("claude-stub "));

      ExecResult first =
          s.run("sh", "-c", "printf 'hello agent\\n/exit\\n' | claude-stub --session-id s1");
      assertEquals(0, first.exitCode(), first.stderr());
      assertTrue(first.stdout().contains("s1"), first.stdout());
      assertTrue(first.stdout().contains("hello agent [echoed by claude-stub]"), first.stdout());

      ExecResult transcript =
          s.run(
              "sh",
              "-c",
              "stat -c %u ~/.claude/projects/-workspace/s1.jsonl && cat ~/.claude/projects/-workspace/s1.jsonl");
      assertTrue(transcript.stdout().startsWith("1000\n"), transcript.stdout());
      assertTrue(transcript.stdout().contains("hello agent"), transcript.stdout());

      ExecResult resumed = s.run("sh", "-c", "echo /exit | claude-stub --resume s1");
      assertEquals(0, resumed.exitCode(), resumed.stderr());
      assertTrue(resumed.stdout().contains("hello agent"), resumed.stdout());

      ExecResult nothing = s.run("sh", "-c", "cd /tmp && claude-stub --resume < /dev/null");
      assertEquals(1, nothing.exitCode());
      assertTrue(nothing.stderr().contains("no conversation found"), nothing.stderr());
    }
  }
}
