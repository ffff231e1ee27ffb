package dev.coi.incus.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coi.api.Mount;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ContainerStatus;
import dev.coi.api.spi.ExecSpec;
import dev.coi.api.spi.IdMap;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InstanceRequestsTest {
  private final ContainerSpec.Builder base =
      ContainerSpec.builder()
          .name("claude-0123abcd-1")
          .image("coi-sandbox")
          .putLabels("slot", "1")
          .addMounts(Mount.of(Path.of("/src/app"), "/workspace"));

  @Test
  void createIsOneRequestThatStartsTheInstanceWithStringValues() {
    JsonNode body = InstanceRequests.create(base.build());

    assertEquals("claude-0123abcd-1", body.path("name").asText());
    assertTrue(body.path("start").asBoolean());
    assertTrue(body.path("ephemeral").asBoolean());
    assertEquals("coi-sandbox", body.path("source").path("alias").asText());
    assertEquals("1", body.path("config").path("user.coi.slot").asText());
    assertTrue(body.path("config").path("security.nesting").isTextual());
    assertFalse(body.path("config").has("security.privileged"));
    JsonNode disk = body.path("devices").path("workspace");
    assertEquals("disk", disk.path("type").asText());
    assertEquals("/src/app", disk.path("source").asText());
    assertEquals("/workspace", disk.path("path").asText());
    assertTrue(disk.path("shift").isTextual(), "the daemon wants \"true\", not true");
    assertEquals("true", disk.path("shift").asText());
  }

  @Test
  void aFingerprintIsSentAsOne() {
    JsonNode body = InstanceRequests.create(base.image("05b42d4ca8f4").build());
    assertEquals("05b42d4ca8f4", body.path("source").path("fingerprint").asText());
    assertFalse(body.path("source").has("alias"));
  }

  @Test
  void anIdMapReplacesShiftingWithRawIdmap() {
    JsonNode body = InstanceRequests.create(base.idMap(IdMap.of(0, 0, 1000, 1000)).build());

    assertEquals("uid 0 1000\ngid 0 1000", body.path("config").path("raw.idmap").asText());
    assertFalse(body.path("devices").path("workspace").has("shift"));
  }

  @Test
  void readOnlyMountsAndDeviceNames() {
    JsonNode body =
        InstanceRequests.create(
            base.addMounts(Mount.of(Path.of("/cache"), "/home/claude/.m2").withReadOnly(true))
                .build());
    assertEquals("true", body.path("devices").path("home-claude-.m2").path("readonly").asText());
  }

  @Test
  void execRecordsOutputWithUserDirectoryAndEnvironment() {
    JsonNode body =
        InstanceRequests.exec(
            ExecSpec.builder()
                .command(List.of("sh", "-c", "echo 'a b'"))
                .uid(1000)
                .gid(1000)
                .cwd("/workspace")
                .putEnvironment("HOME", "/home/claude")
                .build());

    assertEquals(3, body.path("command").size());
    assertEquals("echo 'a b'", body.path("command").get(2).asText());
    assertTrue(body.path("record-output").asBoolean());
    assertFalse(body.path("wait-for-websocket").asBoolean());
    assertEquals(1000, body.path("user").asInt());
    assertEquals("/workspace", body.path("cwd").asText());
    assertEquals("/home/claude", body.path("environment").path("HOME").asText());
  }

  @Test
  void instancesAreReadBackWithCoisLabelsOnly() throws IOException {
    JsonNode instances =
        IncusClient.JSON.readTree(
            "[{\"name\":\"claude-1-1\",\"status\":\"Running\",\"ephemeral\":true,"
                + "\"config\":{\"user.coi.slot\":\"1\",\"user.other\":\"x\",\"image.os\":\"d\"}},"
                + "{\"name\":\"unrelated\",\"status\":\"Stopped\",\"ephemeral\":false,"
                + "\"config\":{}}]");

    List<ContainerInfo> coi = InstanceRequests.coiInstances(instances);

    assertEquals(1, coi.size());
    assertEquals("claude-1-1", coi.get(0).name());
    assertEquals(ContainerStatus.RUNNING, coi.get(0).status());
    assertEquals(Map.of("slot", "1"), coi.get(0).labels());
    assertEquals(ContainerStatus.STOPPED, InstanceRequests.status("Stopped"));
    assertEquals(ContainerStatus.OTHER, InstanceRequests.status("Frozen"));
  }
}
