package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coi.api.Session;
import dev.coi.api.Sessions;
import dev.coi.api.spi.ContainerInfo;
import dev.coi.api.spi.ContainerSpec;
import dev.coi.api.spi.ContainerStatus;
import dev.coi.tck.LiveBackendTestBase;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The data and clean-up commands as a user runs them: the packaged jar against the real daemon;
 * exit code, text and JSON output (parsed back), and the daemon's state afterwards.
 */
class CoiCommandsIT extends LiveBackendTestBase {
  private CoiCli coi;
  private Path ws;

  @BeforeEach
  void runner() throws Exception {
    coi = new CoiCli(workspace, TEST_PREFIX);
    ws = workspace.toRealPath();
  }

  /** A persistent container of this workspace, stopped: what `coi run --persistent` leaves. */
  private String keptContainer() {
    CoiCli.Result r = coi.run("run", "--persistent", "true");
    assertEquals(0, r.exitCode(), r.stderr());
    List<String> mine = containersOf(ws);
    assertEquals(1, mine.size(), mine.toString());
    return mine.get(0);
  }

  private static JsonNode entry(JsonNode array, String field, String value) {
    return StreamSupport.stream(array.spliterator(), false)
        .filter(e -> value.equals(e.path(field).asText()))
        .findFirst()
        .orElseThrow(() -> new AssertionError(field + "=" + value + " not in " + array));
  }

  @Test
  void aKeptContainerIsListedShownCompletedAndKilled() throws Exception {
    String name = keptContainer();

    CoiCli.Result text = coi.run("list");
    assertEquals(0, text.exitCode(), text.stderr());
    assertTrue(text.stdout().startsWith("Active Containers:\n"), text.stdout());
    assertTrue(
        text.stdout().contains("  " + name + " (persistent)\n    Status: Stopped\n"),
        text.stdout());
    assertTrue(text.stdout().contains("    Workspace: " + ws + "\n"), text.stdout());

    JsonNode mine =
        entry(
            coi.run("list", "--all", "--format", "json").json().path("active_containers"),
            "name",
            name);
    assertTrue(mine.path("persistent").asBoolean());
    assertEquals("Stopped", mine.path("status").asText());
    assertEquals(ws.toString(), mine.path("workspace").asText());
    assertEquals(1, mine.path("slot").asInt());
    String id = mine.path("id").asText();

    JsonNode info = coi.run("info", name, "--format", "json").json();
    assertEquals(id, info.path("id").asText());
    assertEquals("Stopped", info.path("status").asText());
    CoiCli.Result byId = coi.run("info", id);
    assertEquals(0, byId.exitCode(), byId.stderr());
    assertTrue(byId.stdout().contains("  Container: " + name + "\n"), byId.stdout());

    assertEquals(List.of(name), bashCompletes("kill", name.substring(0, name.length() - 1)));

    CoiCli.Result kill = coi.run("kill", name);
    assertEquals(0, kill.exitCode(), kill.stderr());
    assertTrue(backend.find(name).isEmpty(), "killed");

    CoiCli.Result again = coi.run("kill", name);
    assertEquals(1, again.exitCode());
    assertEquals(
        List.of("coi: no container " + name + ": see 'coi list --all'"),
        again.stderr().lines().toList());
  }

  /**
   * What bash, with coi's completion script loaded, offers for {@code coi COMMAND PARTIAL<Tab>}.
   */
  private List<String> bashCompletes(String command, String partial) throws Exception {
    Path dir = java.nio.file.Files.createTempDirectory("coi-completion");
    try {
      Path script = dir.resolve("coi.bash");
      java.nio.file.Files.writeString(script, coi.run("completion", "bash").stdout());
      Path wrapper = dir.resolve("coi");
      java.nio.file.Files.writeString(
          wrapper,
          "#!/bin/sh\nexec java -jar "
              + Path.of("target", "coi.jar").toAbsolutePath()
              + " \"$@\"\n");
      wrapper.toFile().setExecutable(true);
      Process bash =
          new ProcessBuilder(
                  "bash",
                  "-c",
                  "source \"$1\"; COMP_WORDS=(\"$2\" \"$3\" \"$4\"); COMP_CWORD=2;"
                      + " COMP_LINE=\"coi $3 $4\"; COMP_POINT=${#COMP_LINE}; _coi_dynamic;"
                      + " printf '%s\\n' \"${COMPREPLY[@]}\"",
                  "bash",
                  script.toString(),
                  wrapper.toString(),
                  command,
                  partial)
              // Outside a real completion, bash warns about compopt on stderr; only the offer
              // counts.
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String out =
          new String(bash.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertEquals(0, bash.waitFor(), out);
      return out.lines().filter(l -> !l.isEmpty()).toList();
    } finally {
      try (var files = java.nio.file.Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void aContainerCoiDidNotMakeIsNeverTouched() {
    String name = "coi-test-foreign-" + UUID.randomUUID().toString().substring(0, 8);
    backend.create(
        ContainerSpec.builder().name(name).image("coi-test-min").ephemeral(true).build());
    try {
      for (List<String> args :
          List.of(
              List.of("kill", name),
              List.of("shutdown", name, "--timeout", "1"),
              List.of("persist", name),
              List.of("tmux", "capture", name))) {
        CoiCli.Result r = coi.run(args.toArray(new String[0]));
        assertEquals(1, r.exitCode(), args + ": " + r.stderr());
        assertEquals(
            List.of(
                "coi: container "
                    + name
                    + " is not coi's: coi touches only the containers it made"),
            r.stderr().lines().toList(),
            args.toString());
        assertEquals("", r.stdout());
      }
      ContainerInfo after = backend.find(name).orElseThrow();
      assertEquals(ContainerStatus.RUNNING, after.status());
      assertTrue(after.ephemeral(), "persist left it alone");
    } finally {
      backend.delete(name);
    }
  }

  @Test
  void persistKeepsARunningSessionsContainerAndShutdownEndsIt() {
    String name;
    try (Session s =
        Sessions.builder()
            .workspace(workspace)
            .image("coi-test-min")
            .containerPrefix(TEST_PREFIX)
            .start()) {
      name = s.name();
      CoiCli.Result r = coi.run("persist", name);
      assertEquals(0, r.exitCode(), r.stderr());
      assertTrue(r.stderr().contains("Persistent now: " + name), r.stderr());
      JsonNode mine =
          entry(coi.run("list", "--format", "json").json().path("active_containers"), "name", name);
      assertTrue(mine.path("persistent").asBoolean(), mine.toString());
    }
    ContainerInfo kept = backend.find(name).orElseThrow(() -> new AssertionError("not kept"));
    assertEquals(ContainerStatus.STOPPED, kept.status());
    assertFalse(kept.ephemeral());

    CoiCli.Result down = coi.run("shutdown", name, "--timeout", "5");
    assertEquals(0, down.exitCode(), down.stderr());
    assertTrue(backend.find(name).isEmpty(), "shut down and deleted");
  }

  @Test
  void cleanRefusesWithoutATerminalAndRemovesWithForce() {
    String name = keptContainer();

    CoiCli.Result refused = coi.run("-w", ws.toString(), "clean");
    assertEquals(2, refused.exitCode(), refused.stderr());
    assertTrue(
        refused.stderr().contains("container " + name), "lists it first: " + refused.stderr());
    assertTrue(refused.stderr().contains("add --force"), refused.stderr());
    assertTrue(backend.find(name).isPresent(), "nothing removed");

    CoiCli.Result forced = coi.run("clean", "-w", ws.toString(), "--force", "--format", "json");
    assertEquals(0, forced.exitCode(), forced.stderr());
    JsonNode json = forced.json();
    assertEquals(name, json.path("removed").path(0).asText(), json.toString());
    assertEquals(0, json.path("failed").size());
    assertTrue(backend.find(name).isEmpty(), "removed");
  }

  @Test
  void imagesDoctorConfigAndDebugDescribeThisHost() {
    JsonNode images = coi.run("images", "--format", "json").json();
    JsonNode min =
        StreamSupport.stream(images.spliterator(), false)
            .filter(i -> i.path("aliases").toString().contains("\"coi-test-min\""))
            .findFirst()
            .orElseThrow(() -> new AssertionError(images.toString()));
    assertEquals(64, min.path("fingerprint").asText().length());
    assertTrue(min.path("size").asLong() > 0);
    assertTrue(coi.run("images").stdout().contains("coi-sandbox"));

    CoiCli.Result doctor = coi.run("doctor", "--format", "json");
    assertEquals(0, doctor.exitCode(), doctor.stdout());
    assertEquals("ok", entry(doctor.json(), "name", "daemon").path("status").asText());
    // This daemon's profile has no NIC: the default mode runs as none, and doctor says so.
    JsonNode network = entry(doctor.json(), "name", "network");
    assertEquals("ok", network.path("status").asText(), network.toString());
    assertTrue(network.path("detail").asText().contains("as none"), network.toString());

    CoiCli.Result noDaemon = coi.with("INCUS_SOCKET", "/nonexistent/coi-test.socket").run("doctor");
    assertEquals(1, noDaemon.exitCode(), noDaemon.stdout());
    assertTrue(noDaemon.stdout().contains("[FAIL] daemon: "), noDaemon.stdout());
    assertTrue(noDaemon.stdout().contains("       fix: "), noDaemon.stdout());

    JsonNode config = coi.run("config", "show", "--format", "json").json();
    JsonNode image = entry(config, "key", "defaults.image");
    assertEquals("\"coi-test-min\"", image.path("value").asText());
    assertEquals("environment CLAUDE_ON_INCUS_IMAGE", image.path("origin").asText());

    CoiCli.Result debug = coi.run("--debug", "list");
    assertEquals(0, debug.exitCode(), debug.stderr());
    assertTrue(
        debug
            .stderr()
            .lines()
            .anyMatch(
                l ->
                    l.matches(
                        "coi: \\[\\+[0-9.]+ ms\\] incus: GET /1.0/instances.* -> 200 in [0-9.]+ ms")),
        debug.stderr());
  }

  @Test
  void tmuxDrivesTheAgentsSessionInARunningContainer() throws Exception {
    try (Session s =
        Sessions.builder()
            .workspace(workspace)
            .image("coi-sandbox")
            .containerPrefix(TEST_PREFIX)
            .agentCommand(List.of("bash"))
            .start()) {
      s.startAgent();
      JsonNode list = coi.run("tmux", "list", s.name(), "--format", "json").json();
      assertEquals(s.name(), list.path(0).path("container").asText(), list.toString());
      assertEquals("coi-" + s.name(), list.path(0).path("session").asText());

      CoiCli.Result sent = coi.run("tmux", "send", s.name(), "echo marker-$((6*7))");
      assertEquals(0, sent.exitCode(), sent.stderr());
      CoiChild.await(
          () -> coi.run("tmux", "capture", s.name()).stdout().contains("marker-42"),
          "the typed command's output in the pane");
      JsonNode capture = coi.run("tmux", "capture", s.name(), "--format", "json").json();
      assertTrue(capture.path("content").asText().contains("marker-42"), capture.toString());
      assertEquals("coi-" + s.name(), capture.path("session").asText());
    }
  }

  @Test
  void badInputIsOneLineWithTheDocumentedCode() {
    assertUsage(coi.run("kill"), "NAME");
    assertUsage(coi.run("shutdown", "x", "--timeout", "-1"), "negative");
    assertUsage(coi.run("tmux"), "send, capture or list");
    assertUsage(coi.run("completion", "tcsh"), "tcsh");
    assertUsage(coi.run("completion", "--list"), "--list");
    assertUsage(coi.run("tmux", "send", TEST_PREFIX + "nosuch-1"), "TEXT");
    assertUsage(coi.run("doctor", "--fix", "now"), "now");
    CoiCli.Result noContainer = coi.run("tmux", "capture", TEST_PREFIX + "nosuch-1");
    assertEquals(1, noContainer.exitCode());
    assertEquals(1, noContainer.stderr().lines().count(), noContainer.stderr());
    assertUsage(coi.run("list", "--format", "yaml"), "yaml");
    CoiCli.Result unknownId = coi.run("info", "00000000-0000-0000-0000-000000000000");
    assertEquals(1, unknownId.exitCode());
    assertEquals(1, unknownId.stderr().lines().count(), unknownId.stderr());
    CoiCli.Result noWorkspace = coi.run("clean", "-w", "/nonexistent/coi-test", "--force");
    assertEquals(1, noWorkspace.exitCode());
    assertTrue(noWorkspace.stderr().contains("/nonexistent/coi-test"), noWorkspace.stderr());
    assertEquals(List.of(), containersOf(ws), "nothing created");
  }

  private static void assertUsage(CoiCli.Result r, String named) {
    assertEquals(2, r.exitCode(), r.stderr());
    List<String> lines = r.stderr().lines().toList();
    assertEquals(2, lines.size(), r.stderr());
    assertTrue(lines.get(0).startsWith("coi: ") && lines.get(0).contains(named), lines.get(0));
    assertTrue(lines.get(1).startsWith("Try 'coi "), lines.get(1));
  }
}
