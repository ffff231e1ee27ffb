package dev.coi.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code coi shell} (and plain {@code coi} on a terminal): the agent, interactive. */
@Command(
    name = "shell",
    description = {
      "Start a session and its agent (in tmux, as uid 1000 in /workspace) and show it in this"
          + " terminal. Ctrl+C and Ctrl+Z go to the agent. Leaving the agent drops to a shell in"
          + " the container; leaving that ends the session: its state is saved, an ephemeral"
          + " container removed, a persistent one kept, and coi exits with that shell's code. Ctrl+B d detaches: the session runs on,"
          + " and 'coi attach' comes back to it.",
      "--resume [ID] and --continue restore a saved session's state and start the agent with"
          + " its resume flag."
    })
final class ShellCommand implements Callable<Integer>, ExitCodes.PassesExitCode {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    return start(spec);
  }

  /** The shell the global options ask for; also what plain {@code coi} does on a terminal. */
  static int start(CommandLine.Model.CommandSpec spec) {
    GlobalOptions options = GlobalOptions.of(spec);
    return new AgentShell(messages(options))
        // coi exits right after; the state is saved before it does all the same.
        .start(options.sessionBuilder().awaitCleanup(false).build());
  }

  /** Where coi's own messages go: stderr, or nowhere with --quiet. */
  static PrintStream messages(GlobalOptions options) {
    return options.quiet ? new PrintStream(OutputStream.nullOutputStream()) : System.err;
  }
}
