package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.tck.LiveBackendTestBase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code coi shell} and {@code coi attach} on a real pseudo-terminal: a tmux server on the host
 * runs coi in a pane, the test types into it and reads its screen, against the real daemon with the
 * sandbox image and the agent stand-in.
 */
class CoiShellIT extends LiveBackendTestBase {
  private static final Path JAR = Path.of("target", "coi.jar").toAbsolutePath();

  @TempDir Path scripts;

  /** The pane's environment: the sandbox image, the agent stand-in, the tests' prefix. */
  private static Map<String, String> env() {
    return Map.of(
        "CLAUDE_ON_INCUS_IMAGE", "coi-sandbox",
        "CLAUDE_ON_INCUS_AGENT_COMMAND", "claude-stub",
        "CLAUDE_ON_INCUS_CONTAINER_PREFIX", TEST_PREFIX,
        "TERM", "xterm-256color");
  }

  /**
   * A script that records the terminal's settings, runs {@code coi ARGS} in the workspace, and
   * prints its exit code; {@code check} afterwards says whether the settings came back.
   */
  private String coiLine(String name, String args) throws IOException {
    Path before = scripts.resolve(name + ".stty");
    return HostTmux.script(
            scripts,
            name,
            "cd '"
                + workspace
                + "'\nstty -g > '"
                + before
                + "'\njava -jar '"
                + JAR
                + "' "
                + args
                + "\necho \"coi-exit=$?\"\n")
        .toString();
  }

  /** Types a line that says whether the terminal is as it was before {@code name} ran. */
  private void checkTerminal(HostTmux tmux, String name) throws Exception {
    Path before = scripts.resolve(name + ".stty");
    tmux.typeLine(
        "stty -g | cmp -s - '"
            + before
            + "' && echo tty-$((1+1))-restored || echo tty-$((2+2))-changed");
    String screen =
        tmux.await(
            s -> s.contains("tty-2-restored") || s.contains("tty-4-changed"), "the terminal check");
    assertTrue(screen.contains("tty-2-restored"), "the terminal was not restored:\n" + screen);
  }

  @Test
  void theAgentTalksResizesLeavesToAShellAndExitEndsTheSession() throws Exception {
    try (HostTmux tmux = HostTmux.start(120, 40, workspace, env())) {
      tmux.typeLine(coiLine("shell.sh", "shell"));
      tmux.awaitText("claude-stub ready, session");

      tmux.typeLine("hello from the test");
      tmux.awaitText("hello from the test [echoed by claude-stub]");

      // Leaving the agent drops to a shell in the container.
      tmux.typeLine("/exit");
      tmux.typeLine("echo shell-$((40+2)) $(id -u) $(pwd)");
      tmux.awaitText("shell-42 1000 /workspace");

      // The window's size, at start and after a resize, reaches the programs inside.
      tmux.typeLine("echo cols-$(stty size | cut -d' ' -f2)");
      tmux.awaitText("cols-120");
      tmux.resize(97, 31);
      // The new size travels (SIGWINCH to coi, the daemon, tmux inside) while the shell runs on:
      // ask again until it has arrived.
      tmux.retypeUntil("echo cols-$(stty size | cut -d' ' -f2)", "cols-97");

      // Ctrl+C and Ctrl+Z reach the programs inside; coi runs on.
      tmux.typeLine("echo before-$((2*2))-ctrl-c; sleep 600");
      tmux.awaitText("before-4-ctrl-c");
      tmux.keys("C-c");
      tmux.typeLine("echo after-$((6*7))-ctrl-c");
      tmux.awaitText("after-42-ctrl-c");
      tmux.typeLine("echo before-$((3*3))-ctrl-z; sleep 601");
      tmux.awaitText("before-9-ctrl-z");
      tmux.keys("C-z");
      tmux.awaitText("Stopped");
      tmux.typeLine("kill %1; wait %1; echo token-$((1+2)) > ~/.claude/shell-note");
      assertTrue(tmux.java().isPresent(), "coi ended on Ctrl+C or Ctrl+Z");

      // Leaving that shell ends coi and the session: state saved, container removed.
      tmux.typeLine("exit");
      tmux.awaitText("coi-exit=0");
      String screen = tmux.awaitText("ended, its state saved");
      assertTrue(screen.contains("coi shell --resume"), screen);
      assertEquals(List.of(), containersOf(workspace.toRealPath()));
      assertEquals("token-3\n", Files.readString(saved("shell-note", "token-3")));
      checkTerminal(tmux, "shell.sh");

      // --continue brings the saved state back, and the agent shows its earlier transcript.
      tmux.typeLine("clear; tmux clear-history 2>/dev/null; true");
      tmux.typeLine(coiLine("continue.sh", "shell --continue"));
      tmux.awaitText("end of earlier transcript");
      tmux.awaitText("> hello from the test");
      tmux.typeLine("/exit");
      tmux.typeLine("cat ~/.claude/shell-note");
      tmux.awaitText("token-3");
      // coi shell exits with the code of the shell the user left last.
      tmux.typeLine("exit 3");
      tmux.awaitText("coi-exit=3");
      assertEquals(List.of(), containersOf(workspace.toRealPath()));
    }
  }

  @Test
  void detachingLeavesTheSessionRunningAndAttachComesBackToIt() throws Exception {
    try (HostTmux tmux = HostTmux.start(100, 30, workspace, env())) {
      // Plain coi on a terminal is coi shell.
      tmux.typeLine(coiLine("shell.sh", ""));
      tmux.awaitText("claude-stub ready, session");
      tmux.keys("C-b", "d");
      String screen = tmux.awaitText("coi-exit=0");
      assertTrue(screen.contains("Come back with: coi attach " + TEST_PREFIX), screen);
      List<String> running = containersOf(workspace.toRealPath());
      assertEquals(1, running.size(), "the detached session's container");
      checkTerminal(tmux, "shell.sh");

      // Back to it by the workspace's slot, as the message and --help say.
      tmux.typeLine(coiLine("attach.sh", "attach -w . --slot 1"));
      tmux.typeLine("back again");
      tmux.awaitText("back again [echoed by claude-stub]");
      tmux.typeLine("/exit");
      tmux.typeLine("exit");
      tmux.await(
          s -> Pattern.compile("coi-exit=0[\\s\\S]*coi-exit=0").matcher(s).find(),
          "the attached coi to end");
      assertEquals(List.of(), containersOf(workspace.toRealPath()));
      checkTerminal(tmux, "attach.sh");
    }
  }

  @Test
  void sigtermToCoiDuringTheShellRestoresTheTerminalSavesAndRemoves() throws Exception {
    assertSignalEndsTheShell("TERM", ExitCodes.TERMINATED);
  }

  @Test
  void sigintToCoiDuringTheShellRestoresTheTerminalSavesAndRemoves() throws Exception {
    assertSignalEndsTheShell("INT", ExitCodes.INTERRUPTED);
  }

  private void assertSignalEndsTheShell(String signal, int exitCode) throws Exception {
    String token = "sig" + signal + "-" + System.nanoTime();
    try (HostTmux tmux = HostTmux.start(100, 30, workspace, env())) {
      tmux.typeLine(coiLine("shell.sh", "shell"));
      tmux.awaitText("claude-stub ready, session");
      tmux.typeLine("remember " + token);
      tmux.awaitText(token + " [echoed by claude-stub]");

      long pid = tmux.java().orElseThrow().pid();
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
      assertEquals(0, kill.waitFor());

      tmux.awaitText("coi-exit=" + exitCode);
      checkTerminal(tmux, "shell.sh");
      assertEquals(List.of(), containersOf(workspace.toRealPath()));
      assertTrue(Files.readString(saved("projects", token)).contains("remember " + token));
    }
  }

  @Test
  void attachWithNoSessionOfTheWorkspaceSaysSoAndExits0() throws Exception {
    Process coi =
        new ProcessBuilder("java", "-jar", JAR.toString(), "attach", "-w", ".", "--slot", "3")
            .directory(workspace.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectErrorStream(true)
            .start();
    String out = new String(coi.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, coi.waitFor());
    assertEquals("No coi session is running. Start one with: coi shell\n", out);
  }

  @Test
  void attachWithSeveralSessionsListsThemAndHowToChoose() throws Exception {
    List<Process> runs = new java.util.ArrayList<>();
    try {
      for (int slot = 1; slot <= 2; slot++) {
        ProcessBuilder pb =
            new ProcessBuilder(
                    "java",
                    "-jar",
                    JAR.toString(),
                    "run",
                    "--slot",
                    "" + slot,
                    "echo ready; sleep 600")
                .directory(workspace.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("CLAUDE_ON_INCUS_IMAGE", "coi-test-min");
        pb.environment().put("CLAUDE_ON_INCUS_CONTAINER_PREFIX", TEST_PREFIX);
        Process run = pb.start();
        runs.add(run);
        java.io.BufferedReader out =
            new java.io.BufferedReader(
                new java.io.InputStreamReader(run.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine());
      }
      Process coi =
          new ProcessBuilder("java", "-jar", JAR.toString(), "attach", "-w", ".")
              .directory(workspace.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectErrorStream(true)
              .start();
      String out = new String(coi.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(ExitCodes.FAILED, coi.waitFor());
      assertTrue(out.startsWith("Several coi sessions are running"), out);
      for (String name : containersOf(workspace.toRealPath())) {
        assertTrue(out.contains("coi attach " + name + " "), out);
      }
      assertTrue(out.contains("coi attach --slot N"), out);
      assertEquals(2, containersOf(workspace.toRealPath()).size(), "attach touched a session");
    } finally {
      for (Process run : runs) {
        run.destroy();
        run.waitFor();
      }
    }
  }

  /** {@code coi shell}, detached at once: the running session's container. */
  private String detachedShell(HostTmux tmux) throws Exception {
    tmux.typeLine(coiLine("shell.sh", "shell"));
    tmux.awaitText("claude-stub ready, session");
    tmux.keys("C-b", "d");
    tmux.awaitText("coi-exit=0");
    List<String> running = containersOf(workspace.toRealPath());
    assertEquals(1, running.size(), "the detached session's container");
    return running.get(0);
  }

  private static String owner(String container) {
    return backend.find(container).orElseThrow().labels().get("pid");
  }

  @Test
  void attachBashOpensAShellBesideTheAgentAndTakesNothingOver() throws Exception {
    try (HostTmux tmux = HostTmux.start(100, 30, workspace, env())) {
      String name = detachedShell(tmux);
      String detached = owner(name);
      tmux.typeLine(coiLine("bash.sh", "attach --bash " + name));
      tmux.typeLine("echo bash-$((20+1)) $(id -u) $(pwd) $(tmux ls -F '#{session_name}')");
      tmux.awaitText("bash-21 1000 /workspace coi-" + name);
      assertEquals(detached, owner(name), "attach --bash took the session over");
      // Its exit code passes through; the session and its agent run on.
      tmux.typeLine("exit 4");
      String screen = tmux.awaitText("coi-exit=4");
      assertTrue(screen.contains("Left the shell: session " + name + " runs on"), screen);
      assertEquals(List.of(name), containersOf(workspace.toRealPath()));
      assertEquals(0, new CoiCli(workspace, TEST_PREFIX).run("tmux", "capture", name).exitCode());
      checkTerminal(tmux, "bash.sh");
      assertEquals(0, new CoiCli(workspace, TEST_PREFIX).run("kill", name).exitCode());
    }
  }

  @Test
  void aSessionWhoseAttachingCoiWasKilledIsSweptByTheNextCoi() throws Exception {
    try (HostTmux tmux = HostTmux.start(100, 30, workspace, env())) {
      String name = detachedShell(tmux);
      tmux.typeLine(coiLine("attach.sh", "attach " + name));
      tmux.typeLine("attached again");
      tmux.awaitText("attached again [echoed by claude-stub]");
      ProcessHandle coi = tmux.java().orElseThrow();
      assertEquals(Long.toString(coi.pid()), owner(name), "attach did not take the session over");
      new ProcessBuilder("kill", "-KILL", Long.toString(coi.pid())).start().waitFor();
      tmux.awaitText("coi-exit=137");
    }
    assertTheNextCoiSweepsIt();
  }

  @Test
  void aRefusedAttachLeavesARunSessionToItsOwnerAndItIsSweptWhenThatDies() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("java", "-jar", JAR.toString(), "run", "echo ready; sleep 600")
            .directory(workspace.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().putAll(env());
    Process run = pb.start();
    try {
      java.io.BufferedReader out =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(run.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("ready", out.readLine());
      String name = containersOf(workspace.toRealPath()).get(0);
      String owner = owner(name);
      try (HostTmux tmux = HostTmux.start(100, 30, workspace, env())) {
        tmux.typeLine(coiLine("attach.sh", "attach " + name));
        String screen = tmux.awaitText("coi-exit=1");
        assertTrue(screen.contains("coi: no agent runs in session " + name), screen);
        assertTrue(screen.contains("'coi attach --bash " + name + "'"), screen);
        checkTerminal(tmux, "attach.sh");
      }
      assertEquals(owner, owner(name), "a refused attach changed the session's owner");
    } finally {
      run.destroyForcibly(); // SIGKILL: coi run cannot end its session
      run.waitFor();
    }
    assertTheNextCoiSweepsIt();
  }

  /**
   * A {@code coi run} on the workspace sweeps the abandoned session: else its container would hold
   * slot 1 for good. The run's own container is stopped as coi exits, and goes soon after.
   */
  private void assertTheNextCoiSweepsIt() throws Exception {
    CoiCli.Result next = new CoiCli(workspace, TEST_PREFIX).run("run", "true");
    assertEquals(0, next.exitCode(), next.stderr());
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
    while (!containersOf(workspace.toRealPath()).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertEquals(List.of(), containersOf(workspace.toRealPath()), "the abandoned session");
  }

  /** The file of a saved session under {@code under} (a name or directory) that holds text. */
  private static Path saved(String under, String text) throws IOException {
    Path sessions = Path.of(System.getenv("CLAUDE_ON_INCUS_SESSIONS_DIR"));
    try (Stream<Path> all = Files.walk(sessions)) {
      return all.filter(Files::isRegularFile)
          .filter(p -> p.toString().contains("/" + under) && !p.toString().contains("/.live/"))
          .filter(p -> read(p).contains(text))
          .findFirst()
          .orElseThrow(
              () -> new AssertionError("no saved session under " + sessions + " holds " + text));
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return "";
    }
  }
}
