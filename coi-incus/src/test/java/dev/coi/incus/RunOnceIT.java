package dev.coi.incus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RunOnce} in real containers of both kinds of image (busybox's shell and Debian's dash):
 * every exec goes through it, the command keeps its arguments and exit code, an attempt after one
 * that ran does not run it again, and ended execs' tokens do not pile up.
 */
@Timeout(180)
class RunOnceIT {
  private static final String PREFIX =
      "coi-test-once-" + UUID.randomUUID().toString().substring(0, 8) + "-";
  private static final List<String> IMAGES = List.of("coi-test-min", "coi-sandbox");

  private static IncusClient client;

  @BeforeAll
  static void createContainers() {
    client = IncusClient.local();
    for (String image : IMAGES) {
      client
          .instances()
          .create(
              LeakCheck.testInstance(PREFIX + image, "RunOnceIT")
                  .image(image)
                  .ephemeral(true)
                  .build());
    }
  }

  @AfterAll
  static void deleteContainers() {
    try {
      for (String image : IMAGES) {
        client.instances().stop(PREFIX + image, true); // ephemeral: the daemon deletes it
      }
    } finally {
      client.close();
    }
  }

  private static ExecOutput run(String image, int user, String... command) {
    return client
        .exec()
        .run(PREFIX + image, ExecRequest.builder().addCommand(command).user(user).build());
  }

  private static String streamed(String image, int user, String... command) throws Exception {
    return streamed(image, user, new byte[0], command);
  }

  private static String streamed(String image, int user, byte[] stdin, String... command)
      throws Exception {
    try (ExecProcess p =
        client
            .exec()
            .start(PREFIX + image, ExecRequest.builder().addCommand(command).user(user).build())) {
      p.stdin().write(stdin);
      p.stdin().close();
      String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8);
      p.stderr().readAllBytes();
      return p.waitFor() + ":" + out;
    }
  }

  /** Runs the script of attempt {@code attempt} as an exec of its own, given its gate. */
  private static String attempt(String image, RunOnce once, int attempt, String... command)
      throws Exception {
    String[] script = once.command(List.of(command), attempt).toArray(String[]::new);
    return streamed(image, 1000, RunOnce.GATE, script);
  }

  @ParameterizedTest
  @ValueSource(strings = {"coi-test-min", "coi-sandbox"})
  void aCommandKeepsItsArgumentsExitCodeAndNotFoundReport(String image) throws Exception {
    ExecOutput out = run(image, 0, "sh", "-c", "printf '%s|' \"$@\"; exit 5", "x", "a b", "*");
    assertEquals(5, out.exitCode());
    assertEquals("a b|*|", out.stdoutText());

    ExecOutput missing = run(image, 0, "no-such-command-here");
    assertEquals(127, missing.exitCode());
    assertEquals("", missing.stderrText());

    assertEquals("3:a b\n", streamed(image, 1000, "sh", "-c", "echo \"$1\"; exit 3", "x", "a b"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"coi-test-min", "coi-sandbox"})
  void anAttemptAfterOneThatRanNeverRunsTheCommandAgain(String image) throws Exception {
    String counter = "/tmp/count-" + UUID.randomUUID();
    RunOnce once = new RunOnce(1000, List.of());
    String[] append = {"sh", "-c", "echo ran >> " + counter};

    // The inner script's started mark shows: it is the command of the exec that runs it.
    assertEquals("0:\u0006", attempt(image, once, 1, append));
    assertEquals("0:", attempt(image, once, 2, append), "no started mark: the command did not run");

    assertEquals("ran\n", run(image, 0, "cat", counter).stdoutText());
    assertEquals(
        1, run(image, 0, "test", "-d", once.marker(2)).exitCode(), "no marker: coi says lost");
    RunOnce retried = new RunOnce(1000, List.of());
    assertEquals("0:\u0006", attempt(image, retried, 2, append));
    assertEquals("ran\nran\n", run(image, 0, "cat", counter).stdoutText());
    assertTrue(client.files().head(PREFIX + image, retried.marker(2)).isPresent());
  }

  @ParameterizedTest
  @ValueSource(strings = {"coi-test-min", "coi-sandbox"})
  void anAttemptWithoutItsGateRunsNothing(String image) throws Exception {
    String counter = "/tmp/count-" + UUID.randomUUID();
    RunOnce once = new RunOnce(1000, List.of());
    String[] script =
        once.command(List.of("sh", "-c", "echo ran >> " + counter), 1).toArray(String[]::new);

    assertEquals("0:", streamed(image, 1000, script));

    assertEquals(1, run(image, 0, "test", "-e", counter).exitCode(), "the command never ran");
    assertEquals(1, run(image, 0, "test", "-e", once.token()).exitCode(), "nor made its token");
  }

  @ParameterizedTest
  @ValueSource(strings = {"coi-test-min", "coi-sandbox"})
  void onATerminalTheGateIsReadFromTheTerminalAndNeitherItsEchoNorTheMarkShow(String image)
      throws Exception {
    ExecRequest shown =
        ExecRequest.builder()
            .addCommand("sh", "-c", "printf 'x|'; tty")
            .user(1000)
            .interactive(true)
            .build();
    try (ExecProcess p = client.exec().start(PREFIX + image, shown)) {
      String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor());
      assertTrue(out.startsWith("x|/dev/pts/"), out);
    }

    // A script whose terminal ends before its gate line (^D) runs nothing.
    String counter = "/tmp/count-" + UUID.randomUUID();
    RunOnce once = new RunOnce(1000, List.of());
    ExecRequest ungated =
        ExecRequest.builder()
            .addAllCommand(once.command(List.of("sh", "-c", "echo ran >> " + counter), 1))
            .user(1000)
            .interactive(true)
            .build();
    try (ExecProcess p = client.exec().start(PREFIX + image, ungated)) {
      p.stdin().write(4);
      p.stdout().readAllBytes();
      assertEquals(0, p.waitFor());
    }
    assertEquals(1, run(image, 0, "test", "-e", counter).exitCode(), "the command never ran");
    assertEquals(1, run(image, 0, "test", "-e", once.token()).exitCode(), "nor made its token");
  }

  @ParameterizedTest
  @ValueSource(strings = {"coi-test-min", "coi-sandbox"})
  void inputPastWhatARetryCanReplayArrivesWhole(String image) throws Exception {
    byte[] input = new byte[4 * 1024 * 1024 + 17];
    new java.util.Random(42).nextBytes(input);
    try (ExecProcess p =
        client.exec().start(PREFIX + image, ExecRequest.of("sh", "-c", "cat | md5sum"))) {
      p.stdin().write(input);
      p.stdin().close();
      String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor());
      assertEquals(md5(input), out.split(" ")[0]);
    }
  }

  private static String md5(byte[] data) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(java.security.MessageDigest.getInstance("MD5").digest(data));
  }

  @ParameterizedTest
  @ValueSource(strings = {"coi-test-min", "coi-sandbox"})
  void theTokensOfEndedExecsDoNotPileUp(String image) throws Exception {
    List<String> before = execsAndTokensLeft(image, 3);
    List<String> after = execsAndTokensLeft(image, 10);

    assertEquals(before, after, "ten more execs of each kind leave no more tokens");
  }

  /** Runs {@code n} captured root execs and streamed uid-1000 ones; the tokens then left. */
  private static List<String> execsAndTokensLeft(String image, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      run(image, 0, "true");
      streamed(image, 1000, "true");
    }
    List<String> left = new ArrayList<>();
    for (String dir : List.of("/dev", "/tmp")) {
      left.add(
          dir
              + ": "
              + run(image, 0, "sh", "-c", "ls -a " + dir + " | grep -c '^.coi-once-' || true")
                  .stdoutText()
                  .trim());
    }
    return left;
  }
}
