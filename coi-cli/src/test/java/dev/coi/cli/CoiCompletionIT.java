package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coi.tck.LiveBackendTestBase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dynamic completion against the real daemon: the helper the scripts call ({@code coi completion
 * --list}), and fish, with coi's script loaded, offering container names, session ids and profiles.
 */
class CoiCompletionIT extends LiveBackendTestBase {
  @TempDir Path home;
  private CoiCli coi;
  private String name;
  private String id;

  @BeforeEach
  void aKeptContainerAndTwoProfiles() throws Exception {
    Path config = Files.createDirectories(home.resolve("claude-on-incus")).resolve("config.toml");
    Files.writeString(
        config,
        "[profiles.fast]\nenvironment = { A = \"1\" }\n[profiles.slow]\nenvironment = { A = \"2\" }\n");
    coi = new CoiCli(workspace, TEST_PREFIX).with("XDG_CONFIG_HOME", home.toString());
    CoiCli.Result kept = coi.run("run", "--persistent", "true");
    assertEquals(0, kept.exitCode(), kept.stderr());
    name = containersOf(workspace.toRealPath()).get(0);
    id = backend.find(name).orElseThrow().labels().get("session");
  }

  @Test
  void theHelperListsContainersSessionsAndProfiles() throws Exception {
    String ws = workspace.toRealPath().toString();
    assertTrue(
        list("containers").contains(name + "\tstopped " + ws), list("containers").toString());
    assertTrue(list("sessions").contains(id + "\t" + ws), list("sessions").toString());
    assertEquals(List.of("fast", "slow"), list("profiles"));
    CoiCli.Result unknown = coi.run("completion", "--list", "images");
    assertEquals(ExitCodes.USAGE, unknown.exitCode(), unknown.stderr());
    CoiCli.Result none = coi.run("completion");
    assertEquals(ExitCodes.USAGE, none.exitCode(), none.stderr());
    assertTrue(none.stderr().startsWith("coi: Missing parameter: give bash, zsh or fish\n"));
    killKept();
  }

  @Test
  void fishCompletesContainerNamesSessionIdsAndProfiles() throws Exception {
    assumeTrue(onPath("fish"), "fish is not installed (Debian package fish)");
    String script = coi.run("completion", "fish").stdout();
    assertTrue(script.contains("(__coi_list profiles)"), script);
    Path dir = Files.createDirectories(home.resolve("bin"));
    Path wrapper = dir.resolve("coi");
    Files.writeString(
        wrapper,
        "#!/bin/sh\nexec java -jar " + Path.of("target", "coi.jar").toAbsolutePath() + " \"$@\"\n");
    wrapper.toFile().setExecutable(true);
    Path file = dir.resolve("coi.fish");
    Files.writeString(file, script);
    List<String> kill = fish(file, "coi kill ");
    assertTrue(kill.stream().anyMatch(l -> l.startsWith(name + "\t")), kill.toString());
    List<String> info = fish(file, "coi info ");
    assertTrue(info.stream().anyMatch(l -> l.startsWith(id + "\t")), info.toString());
    List<String> capture = fish(file, "coi tmux capture ");
    assertTrue(capture.stream().anyMatch(l -> l.startsWith(name + "\t")), capture.toString());
    assertEquals(List.of("fast", "slow"), fish(file, "coi --profile "));
    assertEquals(List.of("fast", "slow"), fish(file, "coi shell --profile "));
    killKept();
  }

  /** A test that ended early (fish missing, a failed assertion) leaves no kept container. */
  @AfterEach
  void noKeptContainerOutlivesTheTest() {
    if (backend.find(name).isPresent()) {
      killKept();
    }
  }

  private void killKept() {
    CoiCli.Result kill = coi.run("kill", name);
    assertEquals(0, kill.exitCode(), kill.stderr());
  }

  private List<String> list(String what) {
    CoiCli.Result r = coi.run("completion", "--list", what);
    assertEquals(0, r.exitCode(), r.stderr());
    return r.stdout().lines().toList();
  }

  /** What fish offers for the command line {@code line} with the script loaded. */
  private List<String> fish(Path script, String line) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("fish", "--no-config", "-c", "source $argv[1]; complete -C $argv[2]")
            .directory(workspace.toFile());
    pb.command().addAll(List.of(script.toString(), line));
    pb.environment().put("PATH", script.getParent() + ":" + System.getenv("PATH"));
    pb.environment().put("XDG_CONFIG_HOME", home.toString());
    pb.environment().put("CLAUDE_ON_INCUS_IMAGE", "coi-test-min");
    pb.environment().put("CLAUDE_ON_INCUS_CONTAINER_PREFIX", TEST_PREFIX);
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out.lines().toList();
  }

  private static boolean onPath(String program) {
    for (String dir : System.getenv("PATH").split(":")) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }
}
