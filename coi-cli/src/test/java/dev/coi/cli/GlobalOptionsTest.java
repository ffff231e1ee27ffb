package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.Mount;
import dev.coi.api.SessionSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The global options and the help conventions, in process: no daemon is involved. */
class GlobalOptionsTest {
  private static final String ID = "0b7e1b2c-1d2e-4f3a-9b8c-7d6e5f4a3b2c";

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int coi(String... args) {
    CommandLine cli = Coi.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  private static RunCommand parseRun(String... args) {
    CommandLine.ParseResult parsed = Coi.commandLine().parseArgs(args);
    return parsed.subcommand().commandSpec().commandLine().getCommand();
  }

  @Test
  void everyGlobalOptionReachesTheSessionBeforeOrAfterTheCommand() {
    String[] options = {
      "-w", "/tmp", "--slot", "3", "--image", "img", "--privileged", "--persistent",
      "--profile", "ci", "-e", "A=b", "--env", "C=d=e", "--storage", "/srv",
      "--mount", "/src:/dst", "--mount", "rel:/ro:ro", "--resume", ID
    };
    List<String> before = new java.util.ArrayList<>(List.of(options));
    before.addAll(List.of("run", "true"));
    List<String> after = new java.util.ArrayList<>(List.of("run"));
    after.addAll(List.of(options));
    after.add("true");
    for (List<String> args : List.of(before, after)) {
      RunCommand run = parseRun(args.toArray(new String[0]));
      SessionSpec spec = run.spec();
      assertEquals(Path.of("/tmp"), spec.workspace(), args.toString());
      assertEquals(3, spec.slot());
      assertEquals(Optional.of("img"), spec.image());
      assertEquals(Optional.of(true), spec.privileged());
      assertEquals(Optional.of(true), spec.persistent());
      assertEquals(Optional.of("ci"), spec.profile());
      assertEquals(Map.of("A", "b", "C", "d=e"), spec.environment());
      assertEquals(Optional.of(Path.of("/srv")), spec.storage());
      assertEquals(
          List.of(
              Mount.of(Path.of("/src"), "/dst"),
              Mount.of(Path.of("rel").toAbsolutePath(), "/ro").withReadOnly(true)),
          spec.mounts());
      assertEquals(Optional.of(ID), spec.resume());
      assertEquals(List.of("true"), run.command);
    }
  }

  @Test
  void withoutOptionsTheConfigurationDecides() {
    SessionSpec spec = parseRun("run", "true").spec();
    assertEquals(Path.of("."), spec.workspace());
    assertEquals(0, spec.slot());
    assertEquals(Optional.empty(), spec.persistent());
    assertEquals(Optional.empty(), spec.privileged());
    assertEquals(Optional.empty(), spec.image());
    assertEquals(Optional.empty(), spec.resume());
    assertEquals(Optional.empty(), spec.storage());
    assertEquals(List.of(), spec.mounts());
  }

  @Test
  void resumeAloneOrContinueIsTheLatestAndDoesNotEatTheCommand() {
    RunCommand run = parseRun("run", "--resume", "ls", "-la");
    assertEquals(Optional.of(SessionSpec.LATEST), run.spec().resume());
    assertEquals(List.of("ls", "-la"), run.command);
    assertEquals(
        Optional.of(SessionSpec.LATEST), parseRun("--continue", "run", "true").spec().resume());
    assertEquals(Optional.of(SessionSpec.LATEST), parseRun("--resume", "run", "x").spec().resume());
    run = parseRun("run", "--resume=some-id", "make");
    assertEquals(Optional.of("some-id"), run.spec().resume(), "an attached value is always the id");
    assertEquals(List.of("make"), run.command);
  }

  @Test
  void formatAcceptsTextAndJsonInAnyCase() {
    CommandLine.ParseResult parsed = Coi.commandLine().parseArgs("--format", "JSON", "version");
    assertTrue(GlobalOptions.of(parsed.subcommand().commandSpec()).json());
    assertEquals(2, coi("--format", "yaml", "version"));
    assertTrue(err.toString().contains("yaml"), err.toString());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "-e|1BAD=x|1BAD",
        "-e|NOEQUALS|KEY=VALUE",
        "--mount|/src|SRC:DST",
        "--mount|/src:rel|SRC:DST",
        "--mount|/src:/dst:rw|SRC:DST",
        "--mount|:/dst|SRC:DST",
        "--slot|-1|-1",
        "--slot|two|two",
        "--format|xml|xml"
      })
  void aBadValueIsAOneLineUsageErrorAndNothingRuns(String caseText) {
    String[] c = caseText.split("\\|");
    assertEquals(ExitCodes.USAGE, coi("run", c[0], c[1], "true"));
    List<String> lines = err.toString().lines().toList();
    assertEquals(2, lines.size(), err.toString());
    assertTrue(lines.get(0).startsWith("coi: ") && lines.get(0).contains(c[2]), lines.get(0));
    assertEquals("Try 'coi run --help'.", lines.get(1));
    assertEquals("", out.toString());
  }

  @Test
  void helpWorksOnEveryCommandWhateverElseIsGiven() {
    assertEquals(0, coi("run", "--help"));
    assertTrue(out.toString().contains("Usage: coi run"), out.toString());
    assertTrue(out.toString().contains("--workspace"), "global options show on each command");
    out.getBuffer().setLength(0);
    assertEquals(0, coi("version", "--help"));
    assertTrue(out.toString().contains("Usage: coi version"), out.toString());
    out.getBuffer().setLength(0);
    assertEquals(0, coi("-w", "/nonexistent", "run", "-h", "--slot", "2"));
    assertTrue(out.toString().contains("Usage: coi run"), out.toString());
    assertEquals("", err.toString());
  }

  @Test
  void helpOnAnUnknownCommandIsAUsageError() {
    assertEquals(ExitCodes.USAGE, coi("nosuch", "--help"));
    assertTrue(err.toString().contains("nosuch"), err.toString());
    assertEquals("", out.toString());
  }

  @Test
  void versionIsStillAnOptionOfTheTopCommand() {
    assertEquals(0, coi("-V"));
    assertTrue(out.toString().startsWith("coi "), out.toString());
  }
}
