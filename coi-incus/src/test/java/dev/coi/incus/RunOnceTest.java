package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RunOnce}'s script, run by the two shells coi's images have ({@code dash} as Debian's
 * {@code /bin/sh}, and busybox's {@code ash}): only the attempt that makes the token runs the
 * command, a later attempt leaves a marker only when it ran it, and the command keeps its
 * arguments, exit code and streams. {@code RunOnceIT} runs it in real containers.
 */
class RunOnceTest {
  @TempDir Path dir;

  /** What a run of the script did. */
  /**
   * How the script ran: whether it wrote {@link RunOnce#STARTED} first, then the command's streams.
   */
  record Run(int exitCode, boolean started, String stdout, String stderr) {}

  private static Run run(String shell, RunOnce once, int attempt, String... command)
      throws IOException, InterruptedException {
    return run(shell, RunOnce.GATE, once, attempt, command);
  }

  /** Runs the script with {@code stdin} as its input (the gate first, as the daemon passes it). */
  private static Run run(String shell, byte[] stdin, RunOnce once, int attempt, String... command)
      throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(once.command(List.of(command), attempt));
    argv.set(0, shell);
    if (shell.endsWith("busybox")) {
      argv.add(1, "sh");
    }
    Process p = new ProcessBuilder(argv).start();
    p.getOutputStream().write(stdin);
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    boolean started = out.startsWith("\u0006");
    return new Run(p.exitValue(), started, started ? out.substring(1) : out, err);
  }

  /** A command that adds a line to the file {@code count} each time it runs. */
  private String[] appendToCounter() {
    return new String[] {"sh", "-c", "echo ran >> " + dir.resolve("count")};
  }

  private long count(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllLines(file).size() : 0;
  }

  @ParameterizedTest
  @ValueSource(strings = {"/bin/dash", "/bin/busybox"})
  void theFirstAttemptRunsTheCommandWithItsArgumentsExitCodeAndStreams(String shell)
      throws Exception {
    RunOnce once = new RunOnce(dir.toString(), List.of());

    Run run =
        run(
            shell,
            once,
            1,
            "sh",
            "-c",
            "printf '%s|' \"$@\"; echo oops >&2; exit 7",
            "x",
            "a b",
            "*",
            "$HOME");

    assertEquals(new Run(7, true, "a b|*|$HOME|", "oops\n"), run);
    assertTrue(Files.isDirectory(Path.of(once.token())));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/bin/dash", "/bin/busybox"})
  void anAttemptWhoseGateNeverComesRunsNothingAndMakesNoToken(String shell) throws Exception {
    RunOnce once = new RunOnce(dir.toString(), List.of());
    Path counter = dir.resolve("count");

    Run run = run(shell, new byte[0], once, 1, "sh", "-c", "echo ran >> " + counter);

    assertEquals(new Run(0, false, "", ""), run);
    assertEquals(0, count(counter));
    assertFalse(Files.exists(Path.of(once.token())), "so the next attempt runs the command");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/bin/dash", "/bin/busybox"})
  void theInputAfterTheGateReachesTheCommandWhole(String shell) throws Exception {
    byte[] input = new byte[200_000];
    new java.util.Random(7).nextBytes(input);
    input[0] = '\n'; // a line of its own right after the gate must not be taken for the gate
    byte[] stdin = new byte[input.length + 1];
    stdin[0] = RunOnce.GATE[0];
    System.arraycopy(input, 0, stdin, 1, input.length);
    Path copy = dir.resolve("copy");

    Run run =
        run(shell, stdin, new RunOnce(dir.toString(), List.of()), 1, "sh", "-c", "cat > " + copy);

    assertEquals(0, run.exitCode(), run.stderr());
    assertTrue(java.util.Arrays.equals(input, Files.readAllBytes(copy)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/bin/dash", "/bin/busybox"})
  void aLaterAttemptAfterOneThatRanDoesNotRunTheCommandAndLeavesNoMarker(String shell)
      throws Exception {
    RunOnce once = new RunOnce(dir.toString(), List.of());
    String[] append = appendToCounter();

    run(shell, once, 1, append);
    Run second = run(shell, once, 2, append);

    assertEquals(1, count(dir.resolve("count")), "the command ran once");
    assertEquals(new Run(0, false, "", ""), second);
    assertFalse(Files.exists(Path.of(once.marker(2))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/bin/dash", "/bin/busybox"})
  void aLaterAttemptAfterOnesThatNeverRanRunsTheCommandAndLeavesItsMarker(String shell)
      throws Exception {
    RunOnce once = new RunOnce(dir.toString(), List.of());
    Path counter = dir.resolve("count");

    Run third = run(shell, once, 3, "sh", "-c", "echo ran >> " + counter + "; exit 4");

    assertEquals(4, third.exitCode());
    assertEquals(1, count(counter));
    assertTrue(Files.isDirectory(Path.of(once.marker(3))));
    assertEquals(
        new Run(0, false, "", ""),
        run(shell, once, 4, "sh", "-c", "echo ran >> " + counter),
        "and no attempt after it runs it again");
    assertEquals(1, count(counter));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/bin/dash", "/bin/busybox"})
  void aFirstAttemptThatCannotMakeItsTokenStillRunsTheCommand(String shell) throws Exception {
    RunOnce once = new RunOnce(dir.resolve("missing/dir").toString(), List.of());
    Path counter = dir.resolve("count");
    String[] append = appendToCounter();

    assertEquals(0, run(shell, once, 1, append).exitCode());
    assertEquals(1, count(counter));
    assertEquals(0, run(shell, once, 2, append).exitCode());
    assertEquals(1, count(counter), "a later attempt never risks a second run");
    assertFalse(Files.exists(Path.of(once.marker(2))), "so coi reports the command as lost");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/bin/dash", "/bin/busybox"})
  void aCommandThatIsNotFoundExits127WithNothingOnStderrAsWithoutTheScript(String shell)
      throws Exception {
    RunOnce once = new RunOnce(dir.toString(), List.of());

    assertEquals(new Run(127, true, "", ""), run(shell, once, 1, "no-such-command-here"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/bin/dash", "/bin/busybox"})
  void theFirstAttemptRemovesTheTokensOfEndedExecs(String shell) throws Exception {
    RunOnce ended = new RunOnce(dir.toString(), List.of());
    RunOnce retried = new RunOnce(dir.toString(), List.of());
    run(shell, ended, 1, "true");
    run(shell, retried, 2, "true");
    Path other = Files.createDirectory(dir.resolve("not-a-token"));

    run(shell, new RunOnce(dir.toString(), List.of(ended.token(), retried.token())), 1, "true");

    assertFalse(Files.exists(Path.of(ended.token())));
    assertFalse(Files.exists(Path.of(retried.token())));
    assertTrue(Files.exists(other));
  }
}
