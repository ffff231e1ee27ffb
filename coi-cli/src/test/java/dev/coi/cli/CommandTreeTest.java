package dev.coi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The whole command tree, in process: help everywhere, the completion scripts, usage errors. */
class CommandTreeTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int coi(String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    CommandLine cli = Coi.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  /** Every command path: {@code [run]}, {@code [tmux, send]}, … */
  private static List<List<String>> commands(CommandLine cli, List<String> prefix) {
    List<List<String>> all = new ArrayList<>();
    for (CommandLine sub : cli.getSubcommands().values()) {
      List<String> path = new ArrayList<>(prefix);
      path.add(sub.getCommandName());
      all.add(path);
      all.addAll(commands(sub, path));
    }
    return all;
  }

  @Test
  void helpWorksOnEveryCommandEvenWithItsArgumentsMissing() {
    List<List<String>> all = commands(Coi.commandLine(), List.of());
    assertTrue(all.size() >= 17, all.toString());
    for (List<String> path : all) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      assertEquals(0, coi(args.toArray(new String[0])), path + ": " + err);
      assertTrue(
          out.toString().startsWith("Usage: coi " + String.join(" ", path)), path + ": " + out);
      assertEquals("", err.toString(), path.toString());
    }
  }

  @Test
  void theTopHelpListsEveryCommandAndTheExitCodes() {
    assertEquals(0, coi("--help"));
    for (String command :
        List.of(
            "run",
            "list",
            "info",
            "kill",
            "shutdown",
            "persist",
            "clean",
            "images",
            "tmux",
            "config",
            "doctor",
            "completion",
            "version",
            "help")) {
      assertTrue(out.toString().contains("\n  " + command + " "), command + " in " + out);
    }
    assertTrue(out.toString().contains("1 the operation failed"), out.toString());
  }

  @Test
  void completionScriptsNameTheCommandsForEachShell() {
    assertEquals(0, coi("completion", "bash"));
    String bash = out.toString();
    assertTrue(bash.contains("complete -F _complete_coi"), bash.substring(0, 200));
    assertTrue(bash.contains("shutdown"), "subcommands complete");

    assertEquals(0, coi("completion", "zsh"));
    assertTrue(
        out.toString().startsWith("autoload -U +X compinit"), out.toString().substring(0, 80));

    assertEquals(0, coi("completion", "fish"));
    String fish = out.toString();
    assertTrue(fish.contains("complete -c coi -n __fish_use_subcommand -a kill -d "), fish);
    assertTrue(fish.contains("-l workspace -r"), fish);
    assertTrue(
        fish.contains("complete -c coi -n '__fish_seen_subcommand_from tmux' -a capture"), fish);
  }

  @Test
  void aGroupWithoutItsSubcommandIsAUsageError() {
    assertEquals(ExitCodes.USAGE, coi("tmux"));
    assertTrue(
        err.toString().startsWith("coi: Missing subcommand: give send, capture or list"),
        err.toString());
    assertEquals(ExitCodes.USAGE, coi("config"));
    assertEquals(ExitCodes.USAGE, coi("help", "nosuch"));
    assertEquals(ExitCodes.USAGE, coi("tmux", "nosuch", "--help"));
  }
}
