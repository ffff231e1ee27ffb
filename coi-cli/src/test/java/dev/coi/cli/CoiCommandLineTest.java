package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line's own behaviour, in process: no daemon is involved. */
class CoiCommandLineTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int coi(String... args) {
    CommandLine cli = Coi.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void versionPrintsTheBuildVersion() {
    assertEquals(0, coi("version"));
    assertTrue(out.toString().startsWith("coi 0."), out.toString());
    assertEquals(0, coi("--version"));
  }

  @Test
  void helpListsTheCommandsAndTheExitCodes() {
    assertEquals(0, coi("--help"));
    assertTrue(out.toString().contains("run"), out.toString());
    assertTrue(out.toString().contains("125"), out.toString());
  }

  @Test
  void anUnknownCommandIsAUsageErrorOnOneLinePlusAHint() {
    assertEquals(2, coi("frob"));
    String[] lines = err.toString().split("\n");
    assertEquals(2, lines.length, err.toString());
    assertTrue(lines[0].contains("frob"), lines[0]);
    assertEquals("Try 'coi --help'.", lines[1]);
  }

  @Test
  void anUnknownFlagOfRunPointsAtRunsHelp() {
    assertEquals(2, coi("run", "--bogus", "true"));
    assertTrue(err.toString().contains("--bogus"), err.toString());
    assertTrue(err.toString().contains("Try 'coi run --help'."), err.toString());
  }

  @Test
  void runWithoutACommandIsAUsageError() {
    assertEquals(2, coi("run"));
    assertTrue(err.toString().contains("CMD"), err.toString());
  }

  @Test
  void aMalformedEnvironmentVariableIsAUsageError() {
    assertEquals(2, coi("run", "-e", "NOEQUALS", "true"));
    assertTrue(err.toString().contains("KEY=VALUE"), err.toString());
  }

  @Test
  void flagsAfterTheCommandBelongToTheCommand() {
    CommandLine cli = Coi.commandLine();
    CommandLine.ParseResult parsed = cli.parseArgs("run", "--slot", "2", "ls", "--slot", "-la");
    RunCommand run = parsed.subcommand().commandSpec().commandLine().getCommand();
    assertEquals(2, run.slot);
    assertEquals(java.util.List.of("ls", "--slot", "-la"), run.command);
  }

  @Test
  void theProfileFlagNamesAConfigurationProfile() {
    CommandLine.ParseResult parsed = Coi.commandLine().parseArgs("run", "--profile", "ci", "true");
    RunCommand run = parsed.subcommand().commandSpec().commandLine().getCommand();
    assertEquals("ci", run.profile);
  }
}
