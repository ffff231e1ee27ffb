package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.SessionInfo;
import dev.coi.api.SessionState;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContainerLabelTest {
  private static final Instant T0 = Instant.parse("2026-11-27T10:15:30Z");

  /** The labels a container of the previous coi carries, as read from a live daemon. */
  private static Map<String, String> previousVersionLabels() {
    Map<String, String> labels = new HashMap<>();
    labels.put("session", "0b6a1c1e-2f7e-4b0a-9d55-1e8f5f0a6c11");
    labels.put("workspace", "/src/app");
    labels.put("slot", "3");
    labels.put("mode", "persistent");
    labels.put("user", "dev");
    labels.put("created", T0.toString());
    labels.put("state", "/home/dev/.claude-on-incus/sessions/.live/x/claude");
    labels.put("host", "box");
    labels.put("pid", "4242");
    labels.put("pid-started", T0.toString());
    labels.put("resumed-from", "older");
    labels.put("label.task", "JIRA-1");
    return labels;
  }

  @Test
  void aNewSessionsLabelsCarryTheVersionAndEveryKey() {
    Map<String, String> labels =
        ContainerLabel.ofNewSession(
            "id-1",
            Path.of("/src/app"),
            false,
            T0,
            Path.of("/s/.live/id-1/claude"),
            Optional.of("older"),
            Map.of("task", "JIRA-1"));

    assertEquals(ContainerLabel.CURRENT_VERSION, ContainerLabel.version(labels));
    assertEquals("1", labels.get("version"));
    assertEquals("id-1", labels.get("session"));
    assertEquals("/src/app", labels.get("workspace"));
    assertEquals("ephemeral", labels.get("mode"));
    assertEquals(T0.toString(), labels.get("created"));
    assertEquals("/s/.live/id-1/claude", labels.get("state"));
    assertEquals("older", labels.get("resumed-from"));
    assertEquals("JIRA-1", labels.get("label.task"));
    assertEquals(Long.toString(ProcessHandle.current().pid()), labels.get("pid"));
    assertTrue(labels.containsKey("host") && labels.containsKey("pid-started"), labels.toString());
  }

  @Test
  void aContainerOfThePreviousVersionIsReadAsVersionOneWithEveryField() {
    Map<String, String> labels = previousVersionLabels();
    ContainerInfo container =
        ContainerInfo.builder()
            .name("claude-1a2b3c4d-3")
            .status(ContainerStatus.STOPPED)
            .ephemeral(false)
            .labels(labels)
            .build();

    assertEquals(1, ContainerLabel.version(labels));
    SessionInfo info = SessionCatalog.describe(container).orElseThrow();
    assertEquals("0b6a1c1e-2f7e-4b0a-9d55-1e8f5f0a6c11", info.id());
    assertEquals(Path.of("/src/app"), info.workspace());
    assertEquals(3, info.slot());
    assertTrue(info.persistent());
    assertEquals(SessionState.STOPPED, info.state());
    assertEquals(T0, info.created());
    assertEquals(Optional.of("older"), info.resumedFrom());
    assertEquals(Map.of("task", "JIRA-1"), info.labels());
  }

  @Test
  void aContainerWithoutSessionOrWorkspaceIsNotCois() {
    Map<String, String> labels = previousVersionLabels();
    labels.remove("workspace");
    ContainerInfo container =
        ContainerInfo.builder()
            .name("someone-else")
            .status(ContainerStatus.RUNNING)
            .ephemeral(false)
            .labels(labels)
            .build();

    assertEquals(Optional.empty(), SessionCatalog.describe(container));
  }
}
