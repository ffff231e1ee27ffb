package dev.coi.cli;

import picocli.CommandLine;

/**
 * How {@code --help} behaves: it works on every command whatever else is given ({@code coi run
 * --help} without a command, {@code coi version --help}), but never hides a usage error: {@code coi
 * NOSUCH --help} is reported as the unknown command it is (exit 2), not answered with the top help.
 */
final class HelpConventions {
  private HelpConventions() {}

  static int execute(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult level = parsed; level != null; level = level.subcommand()) {
      if (!level.unmatched().isEmpty()) {
        CommandLine cli = level.commandSpec().commandLine();
        return report(new CommandLine.UnmatchedArgumentException(cli, level.unmatched()), parsed);
      }
    }
    try {
      RepeatedOptions.reconcile(parsed);
    } catch (CommandLine.ParameterException e) {
      return report(e, parsed);
    }
    return new CommandLine.RunLast().execute(parsed);
  }

  private static int report(CommandLine.ParameterException e, CommandLine.ParseResult parsed) {
    CommandLine cli = e.getCommandLine();
    try {
      return cli.getParameterExceptionHandler()
          .handleParseException(e, parsed.originalArgs().toArray(new String[0]));
    } catch (Exception unreported) {
      throw new CommandLine.ExecutionException(cli, "cannot report a usage error", unreported);
    }
  }
}
