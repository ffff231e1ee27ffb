package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code coi run}'s line read without picocli gives exactly the session, command and flags picocli
 * gives it, and every other line is left to picocli.
 */
class RunFastPathTest {
  private static final String ID = "0b7e1b2c-1d2e-4f3a-9b8c-7d6e5f4a3b2c";

  /** Words lines are made of: every option in every spelling, good and bad values, other words. */
  private static final String[] WORDS = {
    "run",
    "run",
    "run",
    "true",
    "echo",
    "--",
    "-",
    "",
    "-w",
    "--workspace",
    "/tmp",
    "rel",
    "--workspace=/x",
    "--slot",
    "3",
    "0",
    "-1",
    "x",
    "--slot=2",
    "--image",
    "img",
    "--privileged",
    "--persistent",
    "--resume",
    ID,
    "--resume=abc",
    "--continue",
    "--profile",
    "ci",
    "-e",
    "--env",
    "A=b",
    "B=c=d",
    "1X=y",
    "A",
    "A=",
    "--env=C=d",
    "--storage",
    "/srv",
    "--mount",
    "/a:/b",
    "/a:/b:ro",
    "a:b",
    "--network",
    "none",
    "open",
    "bogus",
    "--format",
    "json",
    "JSON",
    "-q",
    "--quiet",
    "--debug",
    "-t",
    "--tty",
    "-h",
    "--help",
    "-V",
    "--version",
    "-qt",
    "-wfoo",
    "list",
    "@f",
    "--persistent=true",
    "--bogus",
    "-x"
  };

  @AfterEach
  void debugOff() {
    Diagnostics.debug(false);
  }

  @Test
  void theBuildsCommandNamesAreTheTrees() throws IOException {
    try (InputStream in = RunFastPath.class.getResourceAsStream(UsageFiles.COMMANDS)) {
      assertEquals(UsageFiles.commands(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void theUsualRunLinesAreReadWithoutPicocli() {
    for (String line :
        List.of(
            "run true",
            "run echo hi there",
            "-w /tmp run --slot 2 -e A=1 --env B=c=d --mount /a:/b:ro -- -x y",
            "--debug run -t bash",
            "run --resume " + ID + " true",
            "--format=json --persistent --image img run --continue -q ls -la",
            "--network none --storage /srv --profile ci --privileged run --workspace=/x true")) {
      String[] args = line.split(" ");
      assertNotNull(RunFastPath.parse(args), line);
      assertSameAsPicocli(args);
    }
  }

  @Test
  void helpErrorsAndOtherCommandsAreLeftToPicocli() {
    for (String line :
        List.of(
            "run",
            "run --help",
            "-h run true",
            "list",
            "version",
            "run -qt true",
            "run -wfoo true",
            "-e A=1 run -e B=2 true",
            "--image a run --image b true",
            "run --persistent --persistent true",
            "run --persistent=true true",
            "-t run true",
            "run --slot -1 true",
            "run --slot x true",
            "run -e 1X=y true",
            "run --mount a:b true",
            "run --network bogus true",
            "run --format JSON true",
            "-- run true",
            "run -w --debug true",
            "run cat @file",
            "--image list run true")) {
      assertNull(RunFastPath.parse(line.split(" ")), line);
    }
  }

  @Test
  void anyLineReadWithoutPicocliIsReadAsPicocliReadsIt() {
    Random random = new Random(20261202);
    int read = 0;
    for (int n = 0; n < 1_200; n++) {
      // Mostly shaped as a run line (words, run, words, a command), so that many are read here.
      List<String> args = new ArrayList<>();
      addWords(random, args, random.nextInt(4));
      args.add("run");
      addWords(random, args, random.nextInt(5));
      args.add("true");
      addWords(random, args, random.nextInt(2));
      if (assertSameAsPicocli(
          args.subList(random.nextInt(2), args.size()).toArray(new String[0]))) {
        read++;
      }
    }
    // The random lines must reach the fast path often enough for this test to mean something.
    assertTrue(read > 120, "only " + read + " lines read without picocli");
  }

  private static void addWords(Random random, List<String> line, int count) {
    for (int i = 0; i < count; i++) {
      line.add(WORDS[random.nextInt(WORDS.length)]);
    }
  }

  /** True when the fast path read the line (and gave what picocli gives). */
  private static boolean assertSameAsPicocli(String[] args) {
    String line = Arrays.toString(args);
    Diagnostics.debug(false);
    RunCommand fast = RunFastPath.parse(args);
    boolean fastDebug = Diagnostics.debug();
    if (fast == null) {
      return false;
    }
    Diagnostics.debug(false);
    CommandLine.ParseResult parsed = Coi.commandLine().parseArgs(args);
    CommandLine.ParseResult sub = parsed.subcommand();
    assertNotNull(sub, line);
    assertEquals("run", sub.commandSpec().name(), line);
    assertTrue(parsed.unmatched().isEmpty() && sub.unmatched().isEmpty(), line);
    assertTrue(!parsed.isUsageHelpRequested() && !sub.isUsageHelpRequested(), line);
    assertTrue(!parsed.isVersionHelpRequested(), line);
    RunCommand slow = sub.commandSpec().commandLine().getCommand();
    assertEquals(slow.spec(), fast.spec(), line);
    assertEquals(new ArrayList<>(slow.command), fast.command, line);
    assertEquals(slow.tty, fast.tty, line);
    GlobalOptions global = GlobalOptions.of(sub.commandSpec());
    assertEquals(global.format, fast.global.format, line);
    assertEquals(global.quiet, fast.global.quiet, line);
    assertEquals(Diagnostics.debug(), fastDebug, line);
    return true;
  }
}
