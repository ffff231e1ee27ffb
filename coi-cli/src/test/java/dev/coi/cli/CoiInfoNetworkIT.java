package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coi.tck.LiveBackendTestBase;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code coi info} shows a session's network: the mode asked for and, where they differ, the one
 * its container got. This daemon's profile gives containers no NIC, so every mode runs as none
 * here, and says so; the allowlist's addresses of a filtering daemon are {@code PinnedHostsIT}'s.
 */
class CoiInfoNetworkIT extends LiveBackendTestBase {
  private CoiCli coi;

  @BeforeEach
  void runner() {
    coi = new CoiCli(workspace, TEST_PREFIX);
  }

  private String keptContainer(String... network) throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of("run", "--persistent"));
    args.addAll(List.of(network));
    args.add("true");
    CoiCli.Result r = coi.run(args.toArray(String[]::new));
    assertEquals(0, r.exitCode(), r.stderr());
    List<String> mine = containersOf(workspace.toRealPath());
    assertEquals(1, mine.size(), mine.toString());
    return mine.get(0);
  }

  @Test
  void infoShowsTheModeAskedForAndTheModeGot() throws Exception {
    String name = keptContainer("--network", "allowlist");

    CoiCli.Result text = coi.run("info", name);
    assertEquals(0, text.exitCode(), text.stderr());
    assertTrue(
        text.stdout().contains("  Network: none (asked: allowlist)\n"),
        "no NIC here: allowlist runs as none, and says so\n" + text.stdout());
    assertFalse(text.stdout().contains("  Allowed:"), "nothing is filtered: no addresses shown");

    JsonNode network = coi.run("info", name, "--format", "json").json().path("network");
    assertEquals("allowlist", network.path("mode").asText(), network.toString());
    assertEquals("none", network.path("effective").asText(), network.toString());
    assertTrue(network.path("addresses").isArray() && network.path("addresses").isEmpty());

    assertEquals(0, coi.run("kill", name).exitCode());
    String none = keptContainer("--network", "none");
    assertTrue(coi.run("info", none).stdout().contains("  Network: none\n"));
    assertEquals(0, coi.run("kill", none).exitCode());
  }
}
