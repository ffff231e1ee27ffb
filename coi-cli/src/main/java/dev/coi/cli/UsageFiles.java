package dev.coi.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * Writes {@code coi --help}'s text, plain and coloured, next to the classes at build time (Maven
 * runs it after compiling), so that {@link QuickAnswers} can print it without building the command
 * tree, and the command names for {@link RunFastPath}. Run as {@code UsageFiles OUTPUT_DIR}; public
 * only so that Maven can run it.
 */
public final class UsageFiles {
  static final String PLAIN = "usage.txt";
  static final String COLOURED = "usage-ansi.txt";

  /** The top command's subcommand names and aliases, one a line, for {@link RunFastPath}. */
  static final String COMMANDS = "commands.txt";

  private UsageFiles() {}

  public static void main(String[] args) throws IOException {
    Path dir = Files.createDirectories(Path.of(args[0]).resolve("dev/coi/cli"));
    Files.writeString(
        dir.resolve(PLAIN), render(CommandLine.Help.Ansi.OFF), StandardCharsets.UTF_8);
    Files.writeString(
        dir.resolve(COLOURED), render(CommandLine.Help.Ansi.ON), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve(COMMANDS), commands(), StandardCharsets.UTF_8);
  }

  /** Every word picocli takes for a command at the top, one a line. */
  static String commands() {
    return String.join("\n", Coi.commandLine().getSubcommands().keySet()) + "\n";
  }

  /** What {@code coi --help} prints with colours on or off. */
  static String render(CommandLine.Help.Ansi ansi) {
    return Coi.commandLine().getUsageMessage(ansi);
  }
}
