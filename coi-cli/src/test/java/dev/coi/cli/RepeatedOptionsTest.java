package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coi.api.Mount;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Global options given before and after the command: kept all, or refused when they disagree. */
class RepeatedOptionsTest {
  private final StringWriter err = new StringWriter();

  /** Parses and reconciles {@code args} as coi does, without running the command. */
  private GlobalOptions parse(String... args) {
    CommandLine cli = Coi.commandLine();
    CommandLine.ParseResult parsed = cli.parseArgs(args);
    RepeatedOptions.reconcile(parsed);
    return GlobalOptions.of(cli.getCommandSpec());
  }

  @Test
  void repeatableOptionsGivenBeforeAndAfterTheCommandKeepEveryValueInOrder() {
    GlobalOptions options =
        parse("-e", "A=1", "--mount", "/a:/b", "run", "-e", "B=2", "--mount", "/c:/d:ro", "true");

    assertEquals(Map.of("A", "1", "B", "2"), options.environment);
    assertEquals(List.of("A", "B"), List.copyOf(options.environment.keySet()));
    assertEquals(
        List.of(Mount.of(Path.of("/a"), "/b"), Mount.of(Path.of("/c"), "/d").withReadOnly(true)),
        options.mounts);
  }

  @Test
  void aSingleValueGivenTwiceAlikeIsFineAndTwoSwitchesToo() {
    GlobalOptions options =
        parse("--image", "a", "--persistent", "run", "--image", "a", "--persistent", "true");

    assertEquals("a", options.image);
    assertTrue(options.persistent);
  }

  @Test
  void aSingleValueGivenTwiceWithTwoValuesIsAUsageError() {
    CommandLine cli = Coi.commandLine();
    cli.setErr(new PrintWriter(err));
    cli.getSubcommands().get("run").setErr(new PrintWriter(err));

    int code = cli.execute("--image", "a", "run", "--image", "b", "true");

    assertEquals(ExitCodes.USAGE, code);
    assertEquals(
        "coi: --image was given twice, with different values (a and b): give it once\n"
            + "Try 'coi run --help'.\n",
        err.toString());
  }
}
