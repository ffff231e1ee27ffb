package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.SessionSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
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
  void networkTakesAModeInAnyCaseAndAnythingElseIsAUsageErrorNamingTheModes() {
    assertEquals(
        java.util.Optional.of(dev.coi.api.NetworkPolicy.of(dev.coi.api.NetworkMode.ALLOWLIST)),
        parseRun("run", "--network", "AllowList", "true").spec().network());
    assertEquals(java.util.Optional.empty(), parseRun("run", "true").spec().network());
    assertEquals(2, coi("run", "--network", "sometimes", "true"));
    assertTrue(err.toString().contains("use none, allowlist, restricted or open"), err.toString());
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
    assertEquals(2, run.spec().slot());
    assertEquals(java.util.List.of("ls", "--slot", "-la"), run.command);
  }

  @Test
  void theProfileFlagNamesAConfigurationProfile() {
    CommandLine.ParseResult parsed = Coi.commandLine().parseArgs("run", "--profile", "ci", "true");
    RunCommand run = parsed.subcommand().commandSpec().commandLine().getCommand();
    assertEquals(java.util.Optional.of("ci"), run.spec().profile());
  }

  private RunCommand parseRun(String... args) {
    CommandLine.ParseResult parsed = Coi.commandLine().parseArgs(args);
    return parsed.subcommand().commandSpec().commandLine().getCommand();
  }

  @Test
  void persistentAsksForAKeptContainerAndItsAbsenceLeavesItToTheConfiguration() {
    assertEquals(
        java.util.Optional.of(true), parseRun("run", "--persistent", "true").spec().persistent());
    assertEquals(java.util.Optional.empty(), parseRun("run", "true").spec().persistent());
  }

  @Test
  void imageNamesTheImageAndItsAbsenceLeavesItToTheConfiguration() {
    assertEquals(
        java.util.Optional.of("coi-test-min"),
        parseRun("run", "--image", "coi-test-min", "true").spec().image());
    assertEquals(java.util.Optional.empty(), parseRun("run", "true").spec().image());
  }

  @Test
  void runsFlagsGoIntoTheSessionAndTheProgramExitsRightAfter() {
    SessionSpec spec = parseRun("run", "-w", "/tmp", "--slot", "3", "-e", "A=b", "true").spec();
    assertEquals(java.nio.file.Path.of("/tmp"), spec.workspace());
    assertEquals(3, spec.slot());
    assertEquals(java.util.Map.of("A", "b"), spec.environment());
    assertEquals(false, spec.awaitCleanup(), "Incus deletes the container after coi exits");
  }

  @Test
  void aWorkspaceThatDoesNotExistIsCoisErrorOnOneLine() {
    assertEquals(ExitCodes.COI_ERROR, coi("run", "-w", "/nonexistent/coi-test", "true"));
    assertEquals(1, err.toString().lines().count(), err.toString());
    assertTrue(err.toString().startsWith("coi: "), err.toString());
    assertTrue(err.toString().contains("/nonexistent/coi-test"), err.toString());
  }

  @Test
  void anUnexpectedErrorIsOneLineWithoutDebugAndATraceWithIt() {
    CommandLine cli = Coi.commandLine().getSubcommands().get("run");
    cli.setErr(new PrintWriter(err, true));
    RuntimeException bug = new IllegalStateException("a bug");

    assertEquals(ExitCodes.COI_ERROR, Coi.handleError(bug, cli, null));
    assertEquals(
        List.of(
            "coi: internal error: java.lang.IllegalStateException: a bug"
                + " (run with --debug for details)"),
        err.toString().lines().toList());

    err.getBuffer().setLength(0);
    Diagnostics.debug(true);
    try {
      assertEquals(ExitCodes.COI_ERROR, Coi.handleError(bug, cli, null));
    } finally {
      Diagnostics.debug(false);
    }
    assertTrue(err.toString().contains("\tat "), err.toString());
  }

  @Test
  void aFailedOperationIsExitOneAndCoisFailureToStartACommandIs125() {
    CommandLine cli = Coi.commandLine();
    cli.setErr(new PrintWriter(err, true));
    dev.coi.api.CoiException failed = new dev.coi.api.CoiException("no daemon: start it");
    assertEquals(
        ExitCodes.FAILED, Coi.handleError(failed, cli.getSubcommands().get("version"), null));
    assertEquals(
        ExitCodes.COI_ERROR, Coi.handleError(failed, cli.getSubcommands().get("run"), null));
  }

  @Test
  void coisOwnErrorIsItsMessageAlone() {
    CommandLine cli = Coi.commandLine();
    cli.setErr(new PrintWriter(err, true));
    Coi.handleError(new dev.coi.api.CoiException("no such thing: do this"), cli, null);
    assertEquals("coi: no such thing: do this\n", err.toString());
  }

  @Test
  void debugIsAcceptedBeforeAndAfterTheCommand() {
    parseRun("--debug", "run", "true");
    parseRun("run", "--debug", "true");
    RunCommand run = parseRun("run", "echo", "--debug");
    assertEquals(List.of("echo", "--debug"), run.command, "after the command it is the command's");
    Diagnostics.debug(false);
  }

  @Test
  void helpDocumentsTheExitCodesOfSignals() {
    assertEquals(0, coi("--help"));
    assertTrue(out.toString().contains(ExitCodes.INTERRUPTED + " ended by Ctrl+C"), out.toString());
    assertTrue(out.toString().contains(ExitCodes.TERMINATED + " ended by SIGTERM"), out.toString());
  }

  @Test
  void anExceptionNoThreadCaughtIsOneLineNamingTheThread() {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    Diagnostics.uncaught(
        new Thread(() -> {}, "coi-cli-stderr"),
        new java.io.UncheckedIOException(new java.io.IOException("Connection reset")),
        new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));

    List<String> lines = bytes.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
    assertEquals(1, lines.size(), lines.toString());
    assertTrue(
        lines.get(0).startsWith("coi: internal error in thread coi-cli-stderr: "), lines.get(0));
    assertTrue(lines.get(0).contains("Connection reset"), lines.get(0));
  }

  @Test
  void aLoggedWarningWithAnExceptionIsOneLine() {
    System.Logger logger =
        new CliLoggerFinder().getLogger("dev.coi.core", Object.class.getModule());
    assertTrue(logger.isLoggable(System.Logger.Level.WARNING));
    assertFalse(logger.isLoggable(System.Logger.Level.DEBUG), "debug messages only with --debug");

    String line =
        CliLoggerFinder.OneLine.format(
            System.Logger.Level.WARNING,
            "cannot drop a reservation",
            new IllegalStateException("disk full"));

    assertEquals(
        "coi: warning: cannot drop a reservation: disk full" + System.lineSeparator(), line);
  }

  @Test
  void aDebugLineSaysHowLongAfterTheLaunchItCame() {
    String line =
        CliLoggerFinder.OneLine.format(
            System.Logger.Level.DEBUG, "incus: GET /1.0 -> 200 in 2.0 ms", null);

    assertTrue(
        line.matches("coi: \\[\\+\\d+\\.\\d ms\\] incus: GET /1\\.0 -> 200 in 2\\.0 ms\\R"), line);
  }

  @Test
  void theTimelineCountsFromTheLauncherWhenItSaidWhenItStarted() {
    java.time.Instant jvmStart = java.time.Instant.parse("2026-12-02T12:00:01.5Z");

    assertEquals(
        1_796_212_800_123_456L,
        CliLoggerFinder.Launch.originMicros("1796212800.123456", jvmStart),
        "bash's EPOCHREALTIME");
    assertEquals(
        1_796_212_800_123_456L,
        CliLoggerFinder.Launch.originMicros("1796212800,123456", jvmStart),
        "with a locale's decimal comma");
    for (String none : new String[] {null, "", "soon"}) {
      assertEquals(
          1_796_212_801_500_000L,
          CliLoggerFinder.Launch.originMicros(none, jvmStart),
          "no launcher time (" + none + "): the JVM's start");
    }
  }

  @Test
  void theCliIsTheLoggerFinderOfItsJvm() throws Exception {
    try (var in =
        Coi.class.getResourceAsStream("/META-INF/services/java.lang.System$LoggerFinder")) {
      assertEquals(
          CliLoggerFinder.class.getName(),
          new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip());
    }
  }
}
