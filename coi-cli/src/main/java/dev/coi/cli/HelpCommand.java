package dev.coi.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code coi help [COMMAND]}: picocli's help command, less its own {@code -h}, which would clash
 * with the inherited one of {@link GlobalOptions}. An unknown command is a usage error.
 */
@Command(name = "help", helpCommand = true, description = "Show the help of coi or of a command.")
final class HelpCommand implements Runnable {
  @Parameters(arity = "0..1", paramLabel = "COMMAND", description = "The command to explain.")
  String command;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    CommandLine self = spec.commandLine();
    CommandLine parent = self.getParent();
    CommandLine target = parent;
    if (command != null) {
      target = parent.getSubcommands().get(command);
      if (target == null) {
        throw new CommandLine.ParameterException(
            self, "Unknown command '" + command + "': see the list in 'coi --help'");
      }
    }
    target.usage(self.getOut(), self.getColorScheme());
  }
}
