package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The answers given without the command tree are the ones the tree gives: the build's help text is
 * today's, plain and coloured, and the version line is the same.
 */
class QuickAnswersTest {
  private final ByteArrayOutputStream quick = new ByteArrayOutputStream();

  private String quick(String... args) {
    assertTrue(QuickAnswers.answer(args, new PrintStream(quick, true, StandardCharsets.UTF_8)));
    return quick.toString(StandardCharsets.UTF_8);
  }

  /** What the command tree prints, with colours as picocli decides them here (none: no console). */
  private static String tree(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = Coi.commandLine();
    cli.setOut(new PrintWriter(out, true));
    assertEquals(0, cli.execute(args));
    return out.toString();
  }

  @Test
  void helpIsTheCommandTreesHelp() {
    for (String help : new String[] {"--help", "-h", "help"}) {
      quick.reset();
      assertEquals(tree(help), quick(help), help);
    }
  }

  @Test
  void theColouredHelpOfTheBuildIsTheTreesColouredHelp() throws IOException {
    try (InputStream in = QuickAnswers.class.getResourceAsStream(UsageFiles.COLOURED)) {
      String built = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(UsageFiles.render(CommandLine.Help.Ansi.ON), built);
      assertTrue(built.contains("\u001b["), "no colour in the coloured help");
    }
  }

  @Test
  void versionIsTheCommandTreesVersion() {
    for (String version : new String[] {"version", "--version", "-V"}) {
      quick.reset();
      assertEquals(tree(version), quick(version), version);
    }
    assertTrue(quick.toString(StandardCharsets.UTF_8).startsWith("coi 0."));
  }

  @Test
  void anythingElseIsLeftToTheCommandTree() {
    PrintStream out = new PrintStream(quick, true, StandardCharsets.UTF_8);
    for (String[] args :
        new String[][] {{}, {"run", "true"}, {"--debug", "version"}, {"version", "--help"}}) {
      assertFalse(QuickAnswers.answer(args, out), String.join(" ", args));
    }
    assertEquals(0, quick.size());
  }
}
