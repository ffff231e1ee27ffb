package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON the client sends, in the shapes the daemon accepts. */
class RequestBodiesTest {

  @Test
  void createSendsConfigAndDeviceValuesAsStrings() {
    JsonNode body =
        Instances.createBody(
            InstanceCreate.builder()
                .name("n")
                .image("coi-sandbox")
                .ephemeral(true)
                .putConfig("security.nesting", "true")
                .putDevices("workspace", Map.of("type", "disk", "shift", "true"))
                .build());

    assertEquals("coi-sandbox", body.path("source").path("alias").asText());
    assertTrue(body.path("start").asBoolean());
    assertTrue(body.path("ephemeral").asBoolean());
    assertTrue(body.path("config").path("security.nesting").isTextual());
    assertTrue(
        body.path("devices").path("workspace").path("shift").isTextual(), "\"true\", not true");
    assertEquals("default", body.path("profiles").get(0).asText());
  }

  @Test
  void aFingerprintIsSentAsOne() {
    JsonNode body =
        Instances.createBody(InstanceCreate.builder().name("n").image("05b42d4ca8f4").build());
    assertEquals("05b42d4ca8f4", body.path("source").path("fingerprint").asText());
    assertFalse(body.path("source").has("alias"));
  }

  @Test
  void anExecCarriesItsUserGroupDirectoryAndEnvironment() {
    ExecRequest request =
        ExecRequest.builder()
            .command(List.of("sh", "-c", "echo 'a b'"))
            .user(1000)
            .group(1000)
            .cwd("/workspace")
            .putEnvironment("HOME", "/home/claude")
            .build();
    JsonNode body = Exec.streamBody(request, request.command());

    assertEquals("echo 'a b'", body.path("command").get(2).asText());
    assertFalse(body.path("record-output").asBoolean());
    assertTrue(body.path("wait-for-websocket").asBoolean());
    assertEquals(1000, body.path("user").asInt());
    assertEquals("/home/claude", body.path("environment").path("HOME").asText());
  }
}
