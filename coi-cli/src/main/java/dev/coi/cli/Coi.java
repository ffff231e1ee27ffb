package dev.coi.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top of the command tree: global help and version, and the one place errors are printed. */
@Command(
    name = "coi",
    sortOptions = false,
    versionProvider = Coi.Version.class,
    description = "Run AI coding agents in Incus system containers, one per session.",
    subcommands = {
      RunCommand.class,
      ListCommand.class,
      InfoCommand.class,
      ContainerActions.Kill.class,
      ContainerActions.Shutdown.class,
      ContainerActions.Persist.class,
      CleanCommand.class,
      ImagesCommand.class,
      TmuxCommand.class,
      ConfigCommand.class,
      DoctorCommand.class,
      CompletionCommand.class,
      BuildCommand.class,
      ShellCommand.class,
      AttachCommand.class,
      VersionCommand.class,
      HelpCommand.class
    },
    footer = {
      "",
      "Exit codes: 0 success; 1 the operation failed; 2 usage error; 125 coi could not start"
          + " the command (run, shell);",
      ExitCodes.INTERRUPTED
          + " ended by Ctrl+C (SIGINT); "
          + ExitCodes.TERMINATED
          + " ended by SIGTERM; `coi run` otherwise exits with its command's own code, `coi shell`"
          + " with that of the container shell left last."
    })
final class Coi implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The options every command inherits, wherever the user puts them. */
  @CommandLine.Mixin(name = GlobalOptions.NAME)
  GlobalOptions global;

  @CommandLine.Option(
      names = {"-V", "--version"},
      versionHelp = true,
      description = "Print coi's version and exit.")
  boolean version;

  /** Plain {@code coi}: the agent on a terminal, as the Go coi; the usage anywhere else. */
  @Override
  public void run() {
    if (UserTerminal.available()) {
      ShellCommand.start(spec);
    } else {
      spec.commandLine().usage(spec.commandLine().getOut());
    }
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Coi());
    cli.setExecutionExceptionHandler(Coi::handleError);
    cli.setParameterExceptionHandler(Coi::handleUsageError);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    // `coi run cat @notes` passes "@notes" on: picocli would read the host file ./notes in its
    // place (and send its words into the container).
    cli.setExpandAtFiles(false);
    cli.setExecutionStrategy(HelpConventions::execute);
    // Everything after the command's first word belongs to the command: `coi run ls -la`.
    cli.getSubcommands().get("run").setStopAtPositional(true);
    return cli;
  }

  /** The problem and where help is, rather than the whole usage text. */
  private static int handleUsageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cli = e.getCommandLine();
    PrintWriter err = cli.getErr();
    err.println("coi: " + e.getMessage());
    err.println(
        "Try 'coi " + (cli.getParent() == null ? "" : cli.getCommandName() + " ") + "--help'.");
    err.flush();
    return ExitCodes.USAGE;
  }

  /** One line for the user; the stack trace only with --debug or COI_DEBUG set. */
  static int handleError(Exception e, CommandLine cli, CommandLine.ParseResult parseResult) {
    Diagnostics.report(e, cli.getErr());
    return ExitCodes.failureOf(cli.getCommand());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {QuickAnswers.versionLine()};
    }
  }
}
