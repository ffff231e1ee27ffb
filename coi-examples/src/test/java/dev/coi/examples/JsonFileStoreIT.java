package dev.coi.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coi.tck.LiveBackendTestBase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Example 3 on the real daemon: the quick start, unchanged, keeps its session in the JSON file
 * store because the configuration names it.
 */
class JsonFileStoreIT extends LiveBackendTestBase {
  @TempDir Path sessions;

  @Test
  void theConfigurationPicksTheStoreWithoutACodeChange() throws Exception {
    Path out = sessions.resolve("out");
    Process p =
        ExampleProcess.start(
            HelloSession.class,
            Map.of(
                "CLAUDE_ON_INCUS_STORE",
                "json-file",
                "CLAUDE_ON_INCUS_SESSIONS_DIR",
                sessions.resolve("store").toString()),
            out,
            workspace.toString(),
            "sh",
            "-c",
            "echo remembered > $HOME/.claude/note.txt");
    assertTrue(p.waitFor(3, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), Files.readString(out));

    JsonNode saved =
        new ObjectMapper()
            .readTree(sessions.resolve("store/sessions.json").toFile())
            .get("sessions");
    assertEquals(1, saved.size(), saved.toString());
    JsonNode session = saved.elements().next();
    assertEquals(workspace.toRealPath().toString(), session.get("info").get("workspace").asText());
    String note = null;
    for (JsonNode entry : session.get("tree")) {
      if (entry.get("path").asText().equals("note.txt")) {
        note =
            new String(
                Base64.getDecoder().decode(entry.get("data").asText()), StandardCharsets.UTF_8);
      }
    }
    assertEquals("remembered\n", note);
    String id = session.get("info").get("id").asText();
    assertFalse(Files.exists(sessions.resolve("store/" + id)), "the file store was not used");
  }
}
