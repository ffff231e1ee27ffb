package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.tck.LiveBackendTestBase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code coi run} as a user runs it: the packaged jar in its own process, against the real Incus
 * daemon, with the busybox test image unless a test says otherwise.
 */
class CoiRunIT extends LiveBackendTestBase {
  private static final Path JAR = Path.of("target", "coi.jar").toAbsolutePath();

  record Result(int exitCode, String stdout, String stderr) {}

  private Result coi(String... args) throws Exception {
    return coi(Map.of(), args);
  }

  private Result coi(Map<String, String> env, String... args) throws Exception {
    return coiAs(List.of(), JAR, env, args);
  }

  /** Runs a coi jar through a prefix such as {@code runuser -u nobody --}. */
  private Result coiAs(List<String> prefix, Path jar, Map<String, String> env, String... args)
      throws Exception {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of("java", "-jar", jar.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(workspace.toFile());
    pb.environment().put("CLAUDE_ON_INCUS_IMAGE", "coi-test-min");
    pb.environment().put("CLAUDE_ON_INCUS_CONTAINER_PREFIX", TEST_PREFIX);
    pb.environment().remove("COI_DEBUG");
    Map<String, String> overrides = new HashMap<>(env);
    overrides.forEach(
        (k, v) -> {
          if (v == null) {
            pb.environment().remove(k);
          } else {
            pb.environment().put(k, v);
          }
        });
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    return finish(pb, args);
  }

  /** Runs coi as set up in {@code pb} to its end (three minutes at most): code, stdout, stderr. */
  static Result finish(ProcessBuilder pb, String... args) throws Exception {
    Path out = Files.createTempFile("coi-out", ".txt");
    Path err = Files.createTempFile("coi-err", ".txt");
    try {
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(3, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("coi " + String.join(" ", args) + " did not finish");
      }
      return new Result(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.delete(out);
      Files.delete(err);
    }
  }

  @Test
  void echoHelloPrintsHello() throws Exception {
    Result r = coi("run", "echo", "hello");
    assertEquals(new Result(0, "hello\n", ""), r);
  }

  @Test
  void aSingleArgumentIsAShellCommandLineAsInTheQuickStart() throws Exception {
    Result r = coi("run", "echo hello && echo again | tr a-z A-Z");
    assertEquals(new Result(0, "hello\nAGAIN\n", ""), r);
  }

  @Test
  void theCommandsExitCodeIsCoisExitCode() throws Exception {
    assertEquals(42, coi("run", "sh", "-c", "exit 42").exitCode());
    assertEquals(1, coi("run", "false").exitCode());
  }

  @Test
  void outputArrivesWhileTheCommandStillRuns() throws Exception {
    Process coi =
        coiProcess("run", "echo ready; while [ ! -f go ]; do sleep 0.1; done; echo done").start();
    try (java.io.BufferedReader out =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(coi.getInputStream(), StandardCharsets.UTF_8))) {
      // The command waits for a file the test makes only after it has read "ready": output
      // held back until the end would never come.
      var firstLine =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  return out.readLine();
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      assertEquals("ready", firstLine.get(2, TimeUnit.MINUTES));
      Files.writeString(workspace.resolve("go"), "");
      assertEquals("done", out.readLine());
      assertTrue(coi.waitFor(2, TimeUnit.MINUTES));
      assertEquals(0, coi.exitValue());
    } finally {
      coi.destroyForcibly();
    }
  }

  @Test
  void binaryOutputPassesByteForByte() throws Exception {
    Path out = Files.createTempFile("coi-binary", ".out");
    try {
      Process coi =
          coiProcess("run", "sh", "-c", "printf '\\377\\376\\000\\001\\n'")
              .redirectOutput(out.toFile())
              .start();
      assertTrue(coi.waitFor(2, TimeUnit.MINUTES));
      assertEquals(0, coi.exitValue());
      org.junit.jupiter.api.Assertions.assertArrayEquals(
          new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, '\n'}, Files.readAllBytes(out));
    } finally {
      Files.delete(out);
    }
  }

  @Test
  void aMissingCommandExits127AndSaysSo() throws Exception {
    Result r = coi("run", "no-such-program", "--flag");
    assertEquals(127, r.exitCode());
    assertTrue(r.stderr().contains("no-such-program"), r.stderr());
  }

  @Test
  void theCommandRunsAsUid1000InTheWorkspace() throws Exception {
    assertEquals(new Result(0, "1000\n", ""), coi("run", "id", "-u"));
    assertEquals(new Result(0, "/workspace\n", ""), coi("run", "pwd"));
  }

  /** Each mode runs here (a profile without a NIC): none has only lo, the default as none. */
  @Test
  void networkNoneAndTheDefaultLeaveTheContainerOnlyLoopback() throws Exception {
    assertEquals(
        new Result(0, "lo\n", ""), coi("run", "--network", "none", "ls", "/sys/class/net"));
    assertEquals(new Result(0, "lo\n", ""), coi("run", "ls", "/sys/class/net"));
  }

  @Test
  void stdoutAndStderrGoToTheirOwnStreams() throws Exception {
    Result r = coi("run", "sh", "-c", "echo to-out; echo to-err >&2");
    assertEquals("to-out\n", r.stdout());
    assertEquals("to-err\n", r.stderr());
  }

  @Test
  void environmentVariablesReachTheCommand() throws Exception {
    Result r = coi("run", "-e", "GREETING=hi there", "sh", "-c", "echo \"$GREETING $IS_SANDBOX\"");
    assertEquals("hi there 1\n", r.stdout());
  }

  @Test
  void aHostFileInTheWorkspaceIsReadableInside() throws Exception {
    Files.writeString(workspace.resolve("notes.txt"), "from the host\n");
    assertEquals("from the host\n", coi("run", "cat", "notes.txt").stdout());
  }

  @Test
  void aFileCreatedInsideBelongsToTheWorkspaceOwnerOnTheHost() throws Exception {
    assertEquals(0, coi("run", "sh", "-c", "echo made > made-inside").exitCode());

    Path made = workspace.resolve("made-inside");
    assertEquals("made\n", Files.readString(made));
    assertEquals(1000, Files.getAttribute(made, "unix:uid"));
    assertEquals(1000, Files.getAttribute(made, "unix:gid"));
  }

  @Test
  void aWorkspaceOwnedByAnotherUserIsWritableAndKeepsThatOwner() throws Exception {
    // Owned by root here (as when coi runs as root in a root-owned checkout): mapped onto uid 1000.
    Files.setAttribute(workspace, "unix:uid", 0);
    Files.setAttribute(workspace, "unix:gid", 0);

    Result r = coi("run", "sh", "-c", "id -u; echo made > made-inside");

    assertEquals(new Result(0, "1000\n", ""), r);
    Path made = workspace.resolve("made-inside");
    assertEquals(0, Files.getAttribute(made, "unix:uid"));
    assertEquals(0, Files.getAttribute(made, "unix:gid"));
  }

  @Test
  void theDefaultImageIsTheSandboxImage() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("CLAUDE_ON_INCUS_IMAGE", null);
    // POSIX `command -v` takes one name: ask for each.
    Result r =
        coi(
            env,
            "run",
            "sh",
            "-c",
            "echo hello; for c in bash tmux git node claude-stub; do command -v $c; done");

    assertEquals(0, r.exitCode(), r.stderr());
    assertEquals(
        List.of(
            "hello",
            "/usr/bin/bash",
            "/usr/bin/tmux",
            "/usr/bin/git",
            "/usr/bin/node",
            "/usr/local/bin/claude-stub"),
        r.stdout().lines().collect(java.util.stream.Collectors.toList()));
  }

  @Test
  void aWorkspaceThatDoesNotExistIsAClearErrorAndCreatesNothing() throws Exception {
    Result r = coi("run", "--workspace", "/nonexistent/project", "true");

    assertEquals(125, r.exitCode());
    assertOneLine(r.stderr());
    assertTrue(r.stderr().contains("/nonexistent/project"), r.stderr());
    assertTrue(r.stderr().contains("does not exist"), r.stderr());
    // Other test runs share the daemon: only containers for that workspace would be this run's.
    assertEquals(List.of(), containersOf(Path.of("/nonexistent/project")));
  }

  @Test
  void aMissingImageIsNamedAndCreatesNothing() throws Exception {
    Result r = coi(Map.of("CLAUDE_ON_INCUS_IMAGE", "coi-test-no-such-image"), "run", "true");

    assertEquals(125, r.exitCode());
    assertOneLine(r.stderr());
    assertTrue(r.stderr().contains("'coi-test-no-such-image' not found"), r.stderr());
  }

  @Test
  void anUnreachableDaemonIsExplainedWithoutAStackTrace() throws Exception {
    Result r = coi(Map.of("INCUS_SOCKET", "/nonexistent"), "run", "true");

    assertEquals(125, r.exitCode());
    assertOneLine(r.stderr());
    assertTrue(r.stderr().contains("not reachable"), r.stderr());
    assertTrue(r.stderr().contains("/nonexistent"), r.stderr());
    assertTrue(r.stderr().contains("start the daemon"), r.stderr());
    assertFalse(r.stderr().contains("Exception"), r.stderr());
  }

  @Test
  void aProfileFromTheProjectFileAppliesWithProfile() throws Exception {
    Files.writeString(
        workspace.resolve(".claude-on-incus.toml"),
        "[environment]\nWHO = \"project\"\n[profiles.ci]\nenvironment = { WHO = \"ci\" }\n");

    assertEquals("project\n", coi("run", "sh", "-c", "echo $WHO").stdout());
    assertEquals("ci\n", coi("run", "--profile", "ci", "sh", "-c", "echo $WHO").stdout());
    assertEquals(
        "flag\n",
        coi("run", "--profile", "ci", "-e", "WHO=flag", "sh", "-c", "echo $WHO").stdout());
  }

  @Test
  void aConfigurationMistakeIsOneLineWithItsPlaceAndCreatesNothing() throws Exception {
    Path file =
        Files.writeString(
            workspace.resolve(".claude-on-incus.toml"), "[defaults]\npersistnt = true\n");

    Result r = coi("run", "true");

    assertEquals(125, r.exitCode());
    assertOneLine(r.stderr());
    assertTrue(
        r.stderr()
            .contains(
                file.toRealPath()
                    + ":2:1: unknown key 'defaults.persistnt': did you mean 'persistent'?"),
        r.stderr());
    assertEquals(List.of(), containersOf(workspace.toRealPath()));

    Files.writeString(file, "");
    Result unknown = coi("run", "--profile", "nope", "true");
    assertEquals(125, unknown.exitCode());
    assertOneLine(unknown.stderr());
    assertTrue(unknown.stderr().contains("unknown profile 'nope'"), unknown.stderr());
  }

  @Test
  void aWorkspaceFileThatWouldWidenAccessIsOneLineUntilTheUserTrustsTheWorkspace(@TempDir Path xdg)
      throws Exception {
    Path file =
        Files.writeString(
            workspace.resolve(".claude-on-incus.toml"), "[defaults]\nprivileged = true\n");
    Path userFile = xdg.resolve("claude-on-incus/config.toml");
    Map<String, String> env = Map.of("XDG_CONFIG_HOME", xdg.toString());

    Result r = coi(env, "run", "true");

    assertEquals(125, r.exitCode());
    assertOneLine(r.stderr());
    assertTrue(
        r.stderr()
            .startsWith("coi: " + file.toRealPath() + ":2:1: defaults.privileged is refused: "),
        r.stderr());
    assertTrue(
        r.stderr()
            .strip()
            .endsWith(
                "trust the workspace by adding \""
                    + workspace.toRealPath()
                    + "\" to security.trusted_workspaces in "
                    + userFile),
        r.stderr());
    assertEquals(List.of(), containersOf(workspace.toRealPath()));

    Files.createDirectories(userFile.getParent());
    Files.writeString(
        userFile, "[security]\ntrusted_workspaces = [\"" + workspace.toRealPath() + "\"]\n");
    Result trusted = coi(env, "run", "true");
    assertEquals(0, trusted.exitCode(), trusted.stderr());
  }

  @Test
  void runsOneAfterAnotherOnTheSameExplicitSlotAllSucceed() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertEquals(new Result(0, "slot 1\n", ""), coi("run", "--slot", "1", "echo", "slot 1"));
    }
  }

  @Test
  void aUserWhoMayNotOpenTheSocketIsToldWhichSocketAndWhatToDo() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")), "needs root to run coi as nobody");
    // The checkout may sit in a directory nobody else may enter (CI clones into one): run a copy.
    Path dir = Files.createTempDirectory("coi-nobody");
    Path jar = Files.copy(JAR, dir.resolve("coi.jar"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
    Result r;
    try {
      r =
          coiAs(
              List.of("runuser", "-u", "nobody", "--"), jar, Map.of(), "run", "-w", "/tmp", "true");
    } finally {
      Files.delete(jar);
      Files.delete(dir);
    }

    assertEquals(125, r.exitCode());
    assertOneLine(r.stderr());
    assertTrue(r.stderr().contains("unix.socket is not accessible"), r.stderr());
    assertTrue(r.stderr().contains("incus-admin"), r.stderr());
  }

  @Test
  void twoRunsAtOnceOnOneWorkspaceBothSucceed() throws Exception {
    var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      var first = pool.submit(() -> coi("run", "sh", "-c", "sleep 1; echo one"));
      var second = pool.submit(() -> coi("run", "sh", "-c", "sleep 1; echo two"));
      assertEquals(new Result(0, "one\n", ""), first.get());
      assertEquals(new Result(0, "two\n", ""), second.get());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void sigtermToCoiSavesTheAgentsStateAndRemovesTheContainer() throws Exception {
    // 128 + SIGTERM, as README says.
    assertSignalEndsTheSession("TERM", ExitCodes.TERMINATED);
  }

  @Test
  void ctrlCToCoiSavesTheAgentsStateAndExits130() throws Exception {
    // 128 + SIGINT, as README says.
    assertSignalEndsTheSession("INT", ExitCodes.INTERRUPTED);
  }

  /** Sends the signal once the command runs: coi exits with the code, the state saved. */
  private void assertSignalEndsTheSession(String signal, int exitCode) throws Exception {
    String token = "sig" + signal + "-" + System.nanoTime();
    Process coi =
        coiProcess("run", "echo " + token + " > $HOME/.claude/note; echo ready; sleep 600").start();
    try {
      awaitLine(coi, "ready");
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(coi.pid())).start();
      assertTrue(kill.waitFor(1, TimeUnit.MINUTES) && kill.exitValue() == 0, "kill -" + signal);
      assertTrue(coi.waitFor(2, TimeUnit.MINUTES), "coi did not end on SIG" + signal);
      assertEquals(exitCode, coi.exitValue());
      assertEquals(token + "\n", Files.readString(savedNote(token)));
      assertEquals(List.of(), containersOf(workspace.toRealPath()), "the container is removed");
    } finally {
      coi.destroyForcibly();
    }
  }

  @Test
  void aKilledCoisContainerIsSweptWithItsStateSavedByTheNextRun() throws Exception {
    String token = "sigkill-" + System.nanoTime();
    Process coi =
        coiProcess("run", "echo " + token + " > $HOME/.claude/note; echo ready; sleep 600").start();
    awaitLine(coi, "ready");
    coi.destroyForcibly();
    assertTrue(coi.waitFor(1, TimeUnit.MINUTES));
    assertEquals(1, containersOf(workspace.toRealPath()).size(), "the killed run's container");

    assertEquals(new Result(0, "", ""), coi("run", "true"));
    assertEquals(token + "\n", Files.readString(savedNote(token)));
  }

  /** The note a session saved with this token, in the sessions directory the tests use. */
  private static Path savedNote(String token) throws IOException {
    Path sessions = Path.of(System.getenv("CLAUDE_ON_INCUS_SESSIONS_DIR"));
    try (var all = Files.list(sessions)) {
      for (Path session : (Iterable<Path>) all::iterator) {
        Path note = session.resolve("claude/note");
        if (Files.isRegularFile(note) && Files.readString(note).contains(token)) {
          return note;
        }
      }
    }
    throw new AssertionError("no saved session under " + sessions + " holds " + token);
  }

  private static void awaitLine(Process process, String line) throws Exception {
    var reader =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    var first =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                return reader.readLine();
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    assertEquals(line, first.get(2, TimeUnit.MINUTES));
  }

  /** The packaged coi, run in the workspace on the test image, with no input; stderr dropped. */
  private ProcessBuilder coiProcess(String... args) {
    // SIGINT as a user's shell leaves it: a build run in the background of a script (a CI runner's
    // `cmd &`) has it ignored, and a JVM that starts with SIGINT ignored keeps ignoring it, so the
    // Ctrl+C test would wait for ever (seen twice in this session's clean-clone runs).
    List<String> command =
        new ArrayList<>(List.of("env", "--default-signal=INT", "java", "-jar", JAR.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(workspace.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("CLAUDE_ON_INCUS_IMAGE", "coi-test-min");
    pb.environment().put("CLAUDE_ON_INCUS_CONTAINER_PREFIX", TEST_PREFIX);
    return pb;
  }

  private static void assertOneLine(String stderr) {
    assertTrue(stderr.startsWith("coi: "), stderr);
    assertEquals(1, stderr.lines().count(), stderr);
  }
}
